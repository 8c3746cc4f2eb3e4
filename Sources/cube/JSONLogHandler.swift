import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes each log record as one JSON object on one line of stderr (`cube run --log-format
/// json`, for log shippers; docs/configuration.md "Logs").
///
/// `time` (UTC, RFC 3339 with milliseconds), `level`, `label` and `message` come first; each
/// metadata entry follows as its own string field (a key that would clash gets `meta.` in front).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.render(time: Self.timestamp(), level: event.level, label: label, message: "\(event.message)",
                               metadata: merged)
        // One write per record: lines of concurrent writers never interleave.
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The record as one line, with its LF.
    static func render(time: String, level: Logger.Level, label: String, message: String,
                       metadata: Logger.Metadata) -> String {
        let reserved: Set<String> = ["time", "level", "label", "message"]
        var line = "{\"time\":\(quoted(time)),\"level\":\(quoted(level.rawValue)),\"label\":\(quoted(label)),"
            + "\"message\":\(quoted(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = reserved.contains(key) ? "meta." + key : key
            line += ",\(quoted(name)):\(quoted("\(value)"))"
        }
        return line + "}\n"
    }

    /// `text` as a JSON string literal (RFC 8259 §7).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Now in UTC, e.g. `2026-12-03T10:40:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = now.tv_nsec / 1_000_000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
