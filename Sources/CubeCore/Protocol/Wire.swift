/// Fixed byte sequences of the Protocol-7 wire format (docs/protocol.md §2, §3, §5).
///
/// Kept in one place so transcript tests and the router agree byte for byte.
package enum Wire {
    /// The 32-byte banner sent right after accept: `\\PROTOCOL-7-VERSION\\NZXZDSA\\⏎`.
    package static let banner: [UInt8] = Array(#"\\PROTOCOL-7-VERSION\\NZXZDSA\\"#.utf8) + [lf]
    /// The 7-character base32 protocol version carried by the banner.
    package static let version = "NZXZDSA"

    package static let lf: UInt8 = 0x0A
    package static let cr: UInt8 = 0x0D
    package static let space: UInt8 = 0x20
    package static let tab: UInt8 = 0x09

    // MARK: - Pre-auth texts (each ends in LF)
    package static let loginTimeout = line(">:| timeout")
    /// An origin with too many failed (or undecided) logins in the last minute (docs/protocol.md §3.6).
    package static let loginThrottled = line(">:| too many failed logins, try later")
    /// A credential this machine could not judge now (docs/protocol.md §3.6).
    package static let loginUnavailable = line(">:| login cannot be checked now, try later")
    package static let authMethodsError = line(">;| auth methods")
    package static let speakProtocol7 = line(">:[ speak protocol 7 ?")
    package static let authTrue = line("AUTH_TRUE =)")
    package static let authError = line("AUTH_ERROR `>:|")
    package static let credentialMismatch = line(">:[")
    package static let selectContinue = line("TRUE continue")
    package static let selectUnavailable = line(#"FALSE not available \ enabled, see 'list' command"#)
    package static let listAgain = line("FALSE once should be enough..,")
    package static let notSelectedYet = line("FALSE not selected yet")
    package static let connectionClosed = line("TRUE connection closed")

    // MARK: - Error texts of replies (without keyword and id)
    package static let commandDoesNotExist = "command does not exist"
    package static let clientNotPresent = "client not present"
    /// Link commands on a node without a network (no identity key).
    package static let noNetwork = "this node takes no part in a network [ no identity key ]"
    /// A forwarded path crossed ``Topology/maximumHops`` links (a transient loop or a bug).
    package static let hopLimitExceeded = "hop limit exceeded"
    package static let routeCollapsed = "command route collapsed"
    package static let invocationError = "error during command invocation [ details are logged ]"
    package static let routeTimeout = "route timeout"
    /// A target sent half of `limits.output-queue` of commands it has not answered yet.
    package static let targetBusy = "target busy [ unanswered commands past limits.output-queue / 2 ]"
    package static let protocolMismatch = "protocol mismatch"
    package static let invalidReplyType = "protocol error [ reply type not valid ]"
    package static let invalidCommandID = "invalid command id syntax or length"
    package static let lineTooLong = "line too long"
    package static let bodyTooLarge = "body too large"
    package static let multilineSyntax = "error in [multi-line] command param syntax"

    /// Whether the text of a `STRM` reply is the original's stream announcement, `open` or
    /// `open <n>` (docs/protocol.md §5): relayed as nothing, the route stays open.
    package static func isStreamOpen(_ text: some Collection<UInt8>) -> Bool {
        let bytes = Array(text)
        return bytes.starts(with: "open".utf8) && (bytes.count == 4 || bytes[4] == space)
    }

    /// `text` followed by LF, as bytes.
    package static func line(_ text: String) -> [UInt8] { Array(text.utf8) + [lf] }
}
