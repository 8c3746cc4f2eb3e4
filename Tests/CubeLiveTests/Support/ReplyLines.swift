import CubeTestSupport
import Testing

/// Collects `(<id>)<text>` reply lines from a client socket by id, for tests that keep many
/// commands in flight (docs/pooling.md): a duplicate or unknown reply is recorded as an issue.
struct ReplyLines {
    private var buffer = ""
    /// Each reply's text (after the id), by command id.
    private(set) var replies: [Int: String] = [:]

    /// Reads what arrives within `timeout` seconds.
    /// - Returns: the ids answered by it, in arrival order; nil when nothing arrived.
    mutating func read(_ client: RawSocket, timeout: Double = 10) -> [Int]? {
        let chunk = client.readAvailable(timeout: timeout)
        if chunk.isEmpty { return nil }
        buffer += String(decoding: chunk, as: UTF8.self)
        var answered: [Int] = []
        while let lf = buffer.firstIndex(of: "\n") {
            let line = String(buffer[..<lf])
            buffer.removeSubrange(...lf)
            guard let close = line.firstIndex(of: ")"), let id = Int(line.dropFirst().prefix(upTo: close)),
                  replies[id] == nil
            else {
                Issue.record("unexpected or duplicate reply '\(line)'")
                continue
            }
            replies[id] = String(line[line.index(after: close)...])
            answered.append(id)
        }
        return answered
    }
}
