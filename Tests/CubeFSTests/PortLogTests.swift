import CubeFS
import Testing

/// The reply log of a mounted directory's `out`: bounded by count and by bytes, the newest
/// reply always whole, readers that fall behind skip ahead.
@Suite struct PortLogTests {
    private let root = PortLog.Reader(uid: 0)

    @Test func bytesAreBoundedAndTheNewestReplyIsKeptWhole() {
        var log = PortLog(retention: 1024, maximumBytes: 10_000)
        for index in 0..<50 { log.append([UInt8](repeating: UInt8(index), count: 1_000)) }
        #expect(log.byteCount <= 10_000)
        #expect(log.byteCount == 10_000, "ten replies of 1,000 bytes fit exactly")
        var cursor = log.cursor(backlog: 1_000, for: root)
        let all = log.read(from: &cursor, limit: 1 << 20, for: root)
        #expect(all.count == 10_000)
        #expect(all.first == 40 && all.last == 49, "the oldest went first")
        // One reply larger than the whole bound replaces everything and stays readable.
        log.append([UInt8](repeating: 7, count: 50_000))
        #expect(log.byteCount == 50_000)
        var tail = log.cursor(backlog: 10, for: root)
        #expect(log.read(from: &tail, limit: 1 << 20, for: root).count == 50_000)
    }

    @Test func aReaderThatFellBehindSkipsToTheOldestKeptReply() {
        var log = PortLog(retention: 64, maximumBytes: 4_096)
        var cursor = log.cursor(backlog: 0, for: root)
        for index in 0..<100 { log.append(Array("reply \(index)\n".utf8)) }
        let text = String(decoding: log.read(from: &cursor, limit: 1 << 20, for: root), as: UTF8.self)
        #expect(text.hasPrefix("reply 36\n"), "64 replies are kept")
        #expect(text.hasSuffix("reply 99\n"))
    }

    /// The backlog of a new reader is its last 64 replies, however many other users' replies
    /// came after them (a hostile tester hid a user's replies behind 64 of another's).
    @Test func theBacklogCountsOnlyWhatTheReaderMaySee() {
        var log = PortLog()
        for index in 0..<3 { log.append(Array("mine \(index)\n".utf8), owner: 1000) }
        for index in 0..<100 { log.append(Array("theirs \(index)\n".utf8), owner: 1001) }
        var cursor = log.cursor(backlog: 2, for: PortLog.Reader(uid: 1000))
        let text = String(decoding: log.read(from: &cursor, limit: 1 << 20, for: PortLog.Reader(uid: 1000)), as: UTF8.self)
        #expect(text == "mine 1\nmine 2\n")
        var all = log.cursor(backlog: 64, for: root)
        let seen = String(decoding: log.read(from: &all, limit: 1 << 20, for: root), as: UTF8.self)
        #expect(seen.hasPrefix("theirs 36\n"), "root may read every reply: its backlog is the last 64")
    }

    @Test func countStillBoundsSmallReplies() {
        var log = PortLog(retention: 64)
        for _ in 0..<10_000 { log.append([0x41, 0x0A]) }
        #expect(log.byteCount == 128)
    }
}
