#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to stdout/stderr. Each call is one `write` loop, so stream chunks reach
/// the reader as soon as they arrive (no stdio buffer to flush), and binary bodies pass untouched.
struct StandardStream {
    /// Standard output (fd 1).
    static let output = StandardStream(descriptor: 1)
    /// Standard error (fd 2).
    static let error = StandardStream(descriptor: 2)

    let descriptor: Int32

    /// Writes all of `bytes`; gives up silently if the stream is closed (nobody is left to tell).
    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    /// Writes `text` as UTF-8.
    func write(_ text: String) {
        write(Array(text.utf8))
    }
}

/// `write(2)`, named apart from the `write` methods of ``StandardStream``, which would shadow it.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
