/// A `HOST:PORT` pair as the configuration and the command line write it (`socket.tcp.listen`,
/// `network.discovery.group`, the part after `tcp:` of a peer address): the port follows the
/// last colon, so an IPv6 host is written in brackets (`[::1]:7007`).
package struct HostPort: Hashable, Sendable, CustomStringConvertible {
    /// The host as written, brackets included.
    package let host: String
    /// 1–65535.
    package let port: Int

    /// Parses `HOST:PORT`; nil without a colon, with an empty host or a port outside 1–65535.
    /// - Parameter text: the text to parse.
    package init?(_ text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { return nil }
        host = String(text[..<colon])
        self.port = port
    }

    /// `HOST:PORT`, as written (the port without leading zeros).
    package var description: String { "\(host):\(port)" }

    /// The host without the brackets of an IPv6 literal, as socket APIs take it.
    package var bareHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 ? String(host.dropFirst().dropLast()) : host
    }
}
