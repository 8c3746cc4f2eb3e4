#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line per event on stderr, which the manager captures into the cube's log.
struct ZenkaLog: Sendable {
    /// The prefix of every line, e.g. `zenka calc`.
    let prefix: String

    /// Writes `zenka <name>: <message>⏎` in one `write` (so lines of concurrent tasks never mix).
    func callAsFunction(_ message: String) {
        var line = Array("\(prefix): ".utf8)
        for byte in message.utf8 { line.append(byte == 0x0A ? 0x20 : byte) }
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
