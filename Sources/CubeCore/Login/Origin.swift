/// Where a session came from, for counting its failed logins and sharing the login checks
/// fairly (docs/protocol.md §3.6, docs/security.md "Login throttling").
package enum Origin: Hashable, Sendable, CustomStringConvertible {
    /// A peer on the unix socket, by its uid (`SO_PEERCRED`).
    case uid(UInt32)
    /// A TCP peer, by its remote address (without the port).
    case address(String)

    /// `uid:<n>` or `ip:<address>`, as in logs and `links`.
    package var description: String {
        switch self {
        case .uid(let uid): "uid:\(uid)"
        case .address(let address): "ip:\(address)"
        }
    }
}
