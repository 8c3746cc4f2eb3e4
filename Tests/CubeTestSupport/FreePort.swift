#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// TCP ports for test cubes to listen on.
///
/// Below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`): a port handed out by
/// `bind` to port 0 is an ephemeral one, and between this check and the cube's own `bind`
/// any outgoing connection on the machine (another suite's client, a link being dialled) may
/// take it as its local port; the cube then fails with `EADDRINUSE` (seen in the benchmark's
/// burst scenario). Outgoing connections never take a port below that range.
public enum FreePort {
    /// Ports handed out by this process: two suites asking at once never get the same one.
    private static let handedOut = Mutex(Set<Int>())

    /// A loopback port that nobody listened on a moment ago and that this process did not hand
    /// out before.
    /// - Throws: ``LiveTestError`` when no socket can be bound.
    public static func next() throws -> Int {
        let low = ephemeralRangeStart()
        if low > 11_000 {
            for _ in 0..<500 {
                let port = Int.random(in: 10_000..<low)
                guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
                if bindable(port) { return port }
            }
        }
        // A range that leaves no room below it: the ephemeral port the kernel picks.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw LiveTestError.timeout("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The first port of `net.ipv4.ip_local_port_range` (32768 when it cannot be read).
    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    /// Whether a listening socket could bind `port` on 127.0.0.1 now.
    private static func bindable(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        return address
    }
}
