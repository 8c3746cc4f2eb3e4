import Foundation

/// The original `v7` manager's start-up contract for a cube (docs/protocol.md §12): v7 writes
/// init lines of Perl config code to the cube's stdin and closes it, among them
/// `[base.auth.set_v7_key:'<key>']`, the one-time key v7 then logs in with (method `zenka`,
/// user `v7`); and it connects once the cube's stdout says
/// `. <node>.cube . switched to unix user '<user>'.,`.
enum V7Startup {
    /// The key of the first `[base.auth.set_v7_key:'<key>']` in `text`, or nil when there is none
    /// (or it is empty or holds a quote).
    static func key(in text: String) -> String? {
        let marker = "[base.auth.set_v7_key:'"
        guard let start = text.range(of: marker)?.upperBound,
              let end = text[start...].range(of: "']")?.lowerBound
        else { return nil }
        let key = String(text[start..<end])
        return key.isEmpty || key.contains("'") || key.contains(where: \.isWhitespace) ? nil : key
    }

    /// The log line v7 waits for before it connects, with its LF.
    static func readyLine(node: String, user: String) -> String {
        ". \(node).cube . switched to unix user '\(user)'.,\n"
    }

    /// All of stdin up to end of file, as v7 writes it (bounded: init lines are short).
    static func readStandardInput(limit: Int = 1 << 20) -> String {
        var data = Data()
        while data.count < limit {
            let chunk = FileHandle.standardInput.readData(ofLength: 65536)
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
