/// Fixed byte sequences of the Protocol-7 wire format (docs/protocol.md §2, §3, §5).
///
/// Kept in one place so transcript tests and the router agree byte for byte.
public enum Wire {
    /// The 32-byte banner sent right after accept: `\\PROTOCOL-7-VERSION\\NZXZDSA\\⏎`.
    public static let banner: [UInt8] = Array(#"\\PROTOCOL-7-VERSION\\NZXZDSA\\"#.utf8) + [lf]
    /// The 7-character base32 protocol version carried by the banner.
    public static let version = "NZXZDSA"

    public static let lf: UInt8 = 0x0A
    public static let cr: UInt8 = 0x0D
    public static let space: UInt8 = 0x20
    public static let tab: UInt8 = 0x09

    // MARK: - Pre-auth texts (each ends in LF)
    public static let loginTimeout = line(">:| timeout")
    /// An origin with too many failed (or undecided) logins in the last minute (docs/protocol.md §3.6).
    public static let loginThrottled = line(">:| too many failed logins, try later")
    public static let authMethodsError = line(">;| auth methods")
    public static let speakProtocol7 = line(">:[ speak protocol 7 ?")
    public static let authTrue = line("AUTH_TRUE =)")
    public static let authError = line("AUTH_ERROR `>:|")
    public static let credentialMismatch = line(">:[")
    public static let selectContinue = line("TRUE continue")
    public static let selectUnavailable = line(#"FALSE not available \ enabled, see 'list' command"#)
    public static let listAgain = line("FALSE once should be enough..,")
    public static let notSelectedYet = line("FALSE not selected yet")
    public static let connectionClosed = line("TRUE connection closed")

    // MARK: - Error texts of replies (without keyword and id)
    public static let commandDoesNotExist = "command does not exist"
    public static let clientNotPresent = "client not present"
    /// Link commands on a node without a network (no identity key).
    public static let noNetwork = "this node takes no part in a network [ no identity key ]"
    /// A forwarded path crossed ``Topology/maximumHops`` links (a transient loop or a bug).
    public static let hopLimitExceeded = "hop limit exceeded"
    public static let routeCollapsed = "command route collapsed"
    public static let invocationError = "error during command invocation [ details are logged ]"
    public static let routeTimeout = "route timeout"
    /// A target sent half of `limits.output-queue` of commands it has not answered yet.
    public static let targetBusy = "target busy [ unanswered commands past limits.output-queue / 2 ]"
    public static let protocolMismatch = "protocol mismatch"
    public static let invalidReplyType = "protocol error [ reply type not valid ]"
    public static let invalidCommandID = "invalid command id syntax or length"
    public static let lineTooLong = "line too long"
    public static let bodyTooLarge = "body too large"
    public static let multilineSyntax = "error in [multi-line] command param syntax"

    /// Whether the text of a `STRM` reply is the original's stream announcement, `open` or
    /// `open <n>` (docs/protocol.md §5): relayed as nothing, the route stays open.
    public static func isStreamOpen(_ text: some Collection<UInt8>) -> Bool {
        let bytes = Array(text)
        return bytes.starts(with: "open".utf8) && (bytes.count == 4 || bytes[4] == space)
    }

    /// `text` followed by LF, as bytes.
    public static func line(_ text: String) -> [UInt8] { Array(text.utf8) + [lf] }
}
