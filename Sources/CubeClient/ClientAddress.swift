/// Where a cube listens: its unix socket or a TCP address (docs/protocol.md §1).
///
/// Written as `unix:/path/to/cube.sock` or `tcp:HOST:PORT`; an IPv6 host is written in
/// brackets, `tcp:[::1]:7070`. ``description`` gives back that form, so it can serve as a
/// node's name in a known-nodes file.
public enum ClientAddress: Hashable, Sendable, CustomStringConvertible {
    /// A unix stream socket at this path.
    case unix(String)
    /// A TCP address: a host name or numeric address (IPv6 without brackets) and a port.
    case tcp(host: String, port: Int)

    /// Parses `unix:PATH` or `tcp:HOST:PORT`.
    /// - Parameter text: the address; the port is 1–65535 in decimal, the host must not be
    ///   empty and must not contain whitespace, `/` or `#`.
    /// - Returns: nil for anything else.
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty, !path.utf8.contains(0) else { return nil }
            self = .unix(path)
            return
        }
        guard text.hasPrefix("tcp:") else { return nil }
        let rest = text.dropFirst(4)
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        var host = rest[..<colon]
        let portText = rest[rest.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            return nil  // an IPv6 address needs brackets, or the port would be ambiguous
        }
        guard !host.isEmpty,
              host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" && $0 != "#" })
        else { return nil }
        self = .tcp(host: String(host), port: port)
    }

    /// `unix:PATH` or `tcp:HOST:PORT` (`tcp:[HOST]:PORT` when the host contains a colon).
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }
}
