/// The address of a peer node, written `tcp:HOST:PORT` (`network.peers`, `cube run --peer`,
/// `link`, discovery announcements; docs/protocol.md §8.3). Parsed once where it enters; the
/// dialler, the router's peer records and the `links` table use this value.
package struct PeerAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The host (an IPv6 literal in brackets) and port.
    package let hostPort: HostPort

    /// Parses `tcp:HOST:PORT` (HOST a name, IPv4 or `[IPv6]` without spaces, PORT 1–65535);
    /// nil for any other form.
    package init?(_ text: some StringProtocol) {
        guard text.hasPrefix("tcp:"), let hostPort = HostPort(text.dropFirst(4)), !hostPort.host.contains(" ")
        else { return nil }
        self.hostPort = hostPort
    }

    /// `tcp:HOST:PORT`.
    package var description: String { "tcp:\(hostPort)" }

    /// In the order of their text, for tables and the order of dial actions.
    package static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool { lhs.description < rhs.description }
}
