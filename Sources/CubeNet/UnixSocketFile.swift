import CubeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Prepares the path of the cube's unix socket: creates its directory, removes a stale
/// socket file, and refuses when a live cube still answers on it.
package enum UnixSocketFile {
    /// Why the socket path cannot be used.
    package struct Unusable: Error, CustomStringConvertible {
        package let description: String
    }

    /// Makes `path` ready for `bind`.
    /// - Throws: ``Unusable`` if another cube is serving there or the path is not a socket.
    package static func prepare(_ path: String) throws(Unusable) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { Directories.make(directory) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Unusable(description: "\(path) exists and is not a socket; refusing to replace it")
        }
        if isAnswering(path) {
            throw Unusable(description: "a cube is already serving on \(path)")
        }
        unlink(path)
    }

    /// Removes the socket file if it is still a socket.
    package static func remove(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
    }

    /// Whether something accepts connections on the unix socket `path`.
    package static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        guard var address = address(of: path) else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// The socket address of `path`; nil when the path is too long for one.
    static func address(of path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }
}
