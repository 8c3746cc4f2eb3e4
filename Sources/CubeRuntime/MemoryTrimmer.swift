import CCubeSystem
#if canImport(Glibc)
import Glibc
#endif

/// Gives memory back to the system after a surge (docs/security.md "Resource limits").
///
/// glibc keeps freed heap memory for reuse: after hostile clients made the cube hold a few
/// hundred MiB and left, its resident size stayed there although everything was freed
/// (`make soak`: 225 MiB twenty seconds after the abusers left, for a 28 MiB start). Once a
/// second the tick compares the resident size with what `limits.memory` counts; when the
/// process holds far more than that (64 MiB) and grew since the last trim, `malloc_trim`
/// returns the free pages, at most every 10 s.
struct MemoryTrimmer: Sendable {
    /// Resident bytes beyond what is counted before a trim is worth it.
    static let slack = 64 << 20
    private var residentAfterTrim = 0
    private var ticksSinceTrim = 0

    /// Called once a second with the bytes `limits.memory` counts now.
    mutating func observe(counted: Int) {
        ticksSinceTrim += 1
        guard ticksSinceTrim >= 10, let resident = Self.residentBytes() else { return }
        guard resident > counted + Self.slack, resident > residentAfterTrim + Self.slack / 2 else { return }
        _ = CCubeSystem_malloc_trim()
        ticksSinceTrim = 0
        residentAfterTrim = Self.residentBytes() ?? resident
    }

    /// The process's resident size from `/proc/self/statm` (pages), nil when unreadable.
    static func residentBytes() -> Int? {
        #if canImport(Glibc)
        let file = open("/proc/self/statm", O_RDONLY)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }
}
