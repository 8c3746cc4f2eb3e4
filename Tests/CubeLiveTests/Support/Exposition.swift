import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line
/// must be `# TYPE name type`, `# HELP name text` or `name{label="value",...} number`.
struct Exposition {
    /// Samples by `name{labels}` exactly as written (labels in written order).
    var samples: [String: Double] = [:]
    /// Declared types by metric family name.
    var types: [String: String] = [:]

    struct Invalid: Error, CustomStringConvertible {
        let line: String
        var description: String { "not a valid exposition line: '\(line)'" }
    }

    init(parsing text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let words = line.dropFirst(7).split(separator: " ").map(String.init)
                guard words.count == 2, Self.isName(words[0]),
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(words[1]) else { throw Invalid(line: line) }
                types[words[0]] = words[1]
            } else if line.hasPrefix("# HELP ") {
                guard let name = line.dropFirst(7).split(separator: " ").first, Self.isName(String(name)) else {
                    throw Invalid(line: line)
                }
            } else {
                guard let space = line.lastIndex(of: " ") else { throw Invalid(line: line) }
                let series = String(line[..<space])
                let valueText = String(line[line.index(after: space)...])
                guard let value = Self.number(valueText), Self.isSeries(series) else { throw Invalid(line: line) }
                samples[series] = value
            }
        }
    }

    /// The sample `series`, or nil.
    subscript(_ series: String) -> Double? { samples[series] }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    static func isName(_ name: String) -> Bool {
        func letter(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        guard let first = name.unicodeScalars.first, letter(first) else { return false }
        return name.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    /// `name` or `name{k="v",...}` with valid label names and escaped values.
    static func isSeries(_ series: String) -> Bool {
        guard let brace = series.firstIndex(of: "{") else { return isName(series) }
        guard isName(String(series[..<brace])), series.hasSuffix("}") else { return false }
        var rest = Substring(series[series.index(after: brace)..<series.index(before: series.endIndex)])
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "="), isName(String(rest[..<equals])) else { return false }
            rest = rest[rest.index(after: equals)...]
            guard rest.first == "\"" else { return false }
            rest = rest.dropFirst()
            var escaped = false
            var closed = false
            while let character = rest.first {
                rest = rest.dropFirst()
                if escaped { escaped = false; continue }
                if character == "\\" { escaped = true; continue }
                if character == "\"" { closed = true; break }
            }
            guard closed else { return false }
            if rest.first == "," { rest = rest.dropFirst() } else if !rest.isEmpty { return false }
        }
        return true
    }
}

/// A TCP connection to 127.0.0.1:`port`; its descriptor, nil if it failed.
func tcpConnect(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// Whether the peer of the connected socket `descriptor` closed it (end of stream or reset;
/// nothing is read: the socket stays as it was).
func closedByPeer(_ descriptor: Int32) -> Bool {
    var byte: UInt8 = 0
    let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
}

/// A plain HTTP/1.1 GET over a real TCP connection to 127.0.0.1; returns the status line and
/// body, nil when the connection failed or closed before a response.
func httpGet(port: Int, path: String, timeout: Double = 5) -> (status: String, body: String)? {
    guard let fd = tcpConnect(port: port) else { return nil }
    defer { close(fd) }
    var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response += buffer[..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { return nil }
    let status = text[..<split.lowerBound].split(separator: "\r\n").first.map(String.init) ?? ""
    return (status, String(text[split.upperBound...]))
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
func freeTCPPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
