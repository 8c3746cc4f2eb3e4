#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations key and list files need, as thin POSIX wrappers.
///
/// Reads go through one descriptor (`open` then `fstat`), so the permission check and the
/// read see the same file.
enum FileIO {
    /// The largest file `readFile` accepts; key and list files are far smaller.
    static let maximumFileSize = 4 << 20

    /// Reads a regular file.
    /// - Parameters:
    ///   - path: the file.
    ///   - forbiddenModeBits: permission bits that make the file refused (e.g. `0o077` for secrets).
    /// - Returns: the contents; wipe them if they are secret.
    static func readFile(_ path: String, forbiddenModeBits: UInt32 = 0) throws(AuthError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path) }
        guard info.st_mode & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            throw AuthError(.malformed, function: "read", detail: "\(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o7777
        if permissions & forbiddenModeBits != 0 {
            throw AuthError(.insecurePermissions, function: "fstat", code: Int32(permissions), detail: path)
        }
        guard info.st_size <= maximumFileSize else {
            throw AuthError(.malformed, function: "read", detail: "\(path) is larger than \(maximumFileSize) bytes")
        }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { Memory.wipe(&chunk) }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                Memory.wipe(&contents)
                throw failure("read", path)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
            if contents.count > maximumFileSize {
                Memory.wipe(&contents)
                throw AuthError(.malformed, function: "read", detail: "\(path) is larger than \(maximumFileSize) bytes")
            }
        }
    }

    /// Writes a file with the given mode (never through a symbolic link: `O_NOFOLLOW`).
    /// - Parameters:
    ///   - path: the file.
    ///   - bytes: the contents.
    ///   - mode: the permission bits the file ends up with (set with `fchmod`, whatever the umask).
    ///   - overwrite: if false the file is created with `O_EXCL` and an existing one is refused.
    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t, overwrite: Bool) throws(AuthError) {
        var flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW
        flags |= overwrite ? O_TRUNC : O_EXCL
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            if errno == EEXIST { throw AuthError(.fileExists, function: "open", code: EEXIST, detail: path) }
            throw failure("open", path)
        }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw failure("fchmod", path) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += count
        }
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// Replaces a file atomically: writes `path.tmp-<pid>` then renames it over `path`.
    static func replaceFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(AuthError) {
        let temporary = "\(path).tmp-\(getpid())"
        try writeFile(temporary, bytes, mode: mode, overwrite: true)
        guard rename(temporary, path) == 0 else {
            let error = failure("rename", path)
            unlink(temporary)
            throw error
        }
    }

    /// Whether `error` is `open` failing because the file does not exist.
    static func isMissingFile(_ error: AuthError) -> Bool {
        error.kind == .fileSystem && error.function == "open" && error.code == ENOENT
    }

    /// An error for the system call that just failed, with the current `errno`.
    private static func failure(_ call: String, _ path: String) -> AuthError {
        let code = errno
        return AuthError(.fileSystem, function: call, code: code, detail: "\(path): \(String(cString: strerror(code)))")
    }
}
