#if canImport(Glibc)
import Glibc
#endif

/// TCP ports for test cubes to listen on.
public enum FreePort {
    /// A loopback port that was free a moment ago (bind to port 0, read it back, close).
    /// - Throws: ``LiveTestError`` when no socket can be bound.
    public static func next() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw LiveTestError.timeout("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
