import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare blocking client (unix socket, or TCP on 127.0.0.1) for byte-exact tests: no
/// framing, no parsing.
public final class RawSocket: @unchecked Sendable {
    /// The socket descriptor; -1 once closed.
    public private(set) var descriptor: Int32

    /// Connects to the unix socket at `path`.
    /// - Throws: ``LiveTestError`` when the connection is refused.
    public init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw LiveTestError.cubeExited("connect \(path): errno \(errno)") }
    }

    /// Connects over TCP to 127.0.0.1:`tcpPort` (Nagle off, so small writes go out at once).
    /// - Throws: ``LiveTestError`` when the connection is refused.
    public init(tcpPort port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw LiveTestError.timeout("connect 127.0.0.1:\(port): errno \(code)")
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Writes `text` as UTF-8 (see the byte variant).
    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Writes all of `bytes`; stops quietly when the peer has gone.
    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Reads until `count` bytes arrived, the peer closed, or `timeout` passed.
    public func read(count: Int, timeout: Double = 5) -> [UInt8] {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while out.count < count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000)) > 0 else { break }
            var buffer = [UInt8](repeating: 0, count: max(1, min(65536, count - out.count)))
            let got = recv(descriptor, &buffer, buffer.count, 0)
            guard got > 0 else { break }
            out += buffer[0..<got]
        }
        return out
    }

    /// Returns the next chunk that arrives (empty on close or timeout).
    public func readAvailable(timeout: Double = 5) -> [UInt8] {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let got = recv(descriptor, &buffer, buffer.count, 0)
        return got > 0 ? Array(buffer[0..<got]) : []
    }

    /// Reads until the bytes end with `suffix` (or timeout / close).
    public func read(until suffix: String, timeout: Double = 5) -> String {
        let wanted = Array(suffix.utf8)
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while !out.ends(with: wanted), deadline.timeIntervalSinceNow > 0 {
            let chunk = read(count: 1, timeout: deadline.timeIntervalSinceNow)
            if chunk.isEmpty { break }
            out += chunk
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads everything that arrives within `quiet` seconds of silence.
    public func drain(quiet: Double = 0.2) -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let chunk = read(count: 65536, timeout: quiet)
            if chunk.isEmpty { return out }
            out += chunk
        }
    }

    /// Reads one line (through its LF) without consuming anything behind it.
    public func readLine(timeout: Double = 5) -> String { read(until: "\n", timeout: timeout) }

    /// True once the peer has closed the connection (EOF or reset within `timeout`).
    public func isClosedByPeer(timeout: Double = 2) -> Bool {
        var ignored: [UInt8] = []
        return isClosedByPeer(timeout: timeout, before: &ignored)
    }

    /// True once the peer has closed the connection; bytes that arrive first are collected
    /// in `before`.
    public func isClosedByPeer(timeout: Double, before: inout [UInt8]) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(deadline.timeIntervalSinceNow * 1000)) > 0 else { return false }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let got = recv(descriptor, &buffer, buffer.count, 0)
            if got <= 0 { return true }
            before += buffer[0..<got]
        }
        return false
    }

    /// Logs in as `user` with method unix and consumes banner and login replies.
    public func loginUnix(_ user: String = "unix-root") -> Bool {
        _ = read(count: 32)
        send("select unix\nauth \(user)\n")
        return read(until: "AUTH_TRUE =)\n").hasSuffix("AUTH_TRUE =)\n")
    }

    /// Shuts the connection down (waking any thread blocked on it) and closes the descriptor.
    public func close() {
        if descriptor >= 0 {
            shutdown(descriptor, Int32(SHUT_RDWR))
            Glibc.close(descriptor)
        }
        descriptor = -1
    }

    deinit { close() }
}
