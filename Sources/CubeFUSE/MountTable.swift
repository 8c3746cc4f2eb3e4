#if canImport(Glibc)
    import Glibc
#endif

/// Reads `/proc/self/mountinfo` to tell whether something is mounted at a path (without touching
/// the path itself, which would hang on a wedged FUSE mount).
enum MountTable {
    /// One line of `mountinfo`.
    struct Mount: Equatable {
        /// `major:minor` of the mounted file system; each FUSE connection has its own.
        var device: String
        var mountPoint: String
        var fileSystemType: String
        var source: String

        /// `fuse`, `fuse.<subtype>`, `fuseblk`, `fuseblk.<subtype>`.
        var isFUSE: Bool {
            fileSystemType == "fuse" || fileSystemType == "fuseblk" || fileSystemType.hasPrefix("fuse.")
                || fileSystemType.hasPrefix("fuseblk.")
        }
    }

    /// All mounts whose mount point is exactly `path` (stacked mounts appear more than once).
    /// - Parameter path: A canonical absolute path (see ``canonical(_:)``).
    static func mounts(at path: String) -> [Mount] {
        parse(readProcFile("/proc/self/mountinfo") ?? "").filter { $0.mountPoint == path }
    }

    /// Whether a mount of the file system `device` (`major:minor`) is still attached anywhere.
    /// - Returns: nil when the mount table could not be read whole (no descriptor left, a read
    ///   error): unknown is not "gone".
    static func contains(device: String) -> Bool? {
        guard let text = readProcFile("/proc/self/mountinfo"), !text.isEmpty else { return nil }
        return parse(text).contains { $0.device == device }
    }

    static func parse(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { return nil }
            return Mount(
                device: String(fields[2]), mountPoint: unescape(fields[4]), fileSystemType: String(fields[dash + 1]),
                source: unescape(fields[dash + 2]))
        }
    }

    /// Undoes the kernel's octal escapes (`\040` for space, `\134` for backslash).
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Makes `path` absolute and resolves symlinks in its parent only; the last component is kept as
    /// is, because resolving it would stat a possibly dead mount (`ENOTCONN`).
    static func canonical(_ path: String) -> String {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed != "/" else { return "/" }
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        guard let resolved = realpath(parent, nil) else { return trimmed }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return base == "/" ? "/" + name : base + "/" + name
    }

    /// Reads a file whose `stat` size is 0 (procfs) to the end.
    /// - Returns: nil if it could not be opened or a read failed.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            guard count > 0 else { break }
            data.append(contentsOf: chunk[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
