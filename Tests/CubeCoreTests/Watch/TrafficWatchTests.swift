import Testing
@testable import CubeCore

/// ``TrafficWatch`` on its own: the bounds of docs/protocol.md §8.4 without a router.
@Suite struct TrafficWatchTests {
    private let second: UInt64 = 1_000_000_000

    @Test func onlyMatchingWatchersGetALine() {
        var watch = TrafficWatch()
        let first = watch.start(session: 1, commandID: 5, pattern: GlobPattern("calc.*"), now: 0)
        let second = watch.start(session: 2, commandID: 7, pattern: GlobPattern("**"), now: 0)
        #expect(first == nil && second == nil)
        let copies = watch.copy("cmd a > b (3) calc.add", path: Array("calc.add".utf8), now: 10)
        #expect(copies == [.init(session: 1, commandID: 5, line: "cmd a > b (3) calc.add"),
                           .init(session: 2, commandID: 7, line: "cmd a > b (3) calc.add")])
        let other = watch.copy("cmd a > b (4) db.get", path: Array("db.get".utf8), now: 20)
        #expect(other == [.init(session: 2, commandID: 7, line: "cmd a > b (4) db.get")])
    }

    @Test func aSessionWatchesOnceAndWatchersAreBounded() {
        var watch = TrafficWatch()
        func start(_ session: SessionID, _ commandID: UInt64) -> TrafficWatch.Refusal? {
            watch.start(session: session, commandID: commandID, pattern: GlobPattern("*"), now: 0)
        }
        #expect(start(1, 5) == nil)
        #expect(start(1, 6) == .alreadyWatching)
        for session in 2...SessionID(Watcher.maximumWatchers) {
            #expect(start(session, 1) == nil)
        }
        #expect(start(99, 1) == .tooManyWatchers)
        let stopped = watch.stop(session: 1)
        #expect(stopped?.commandID == 5)
        let again = watch.stop(session: 1)
        #expect(again == nil)
        #expect(start(99, 1) == nil)
    }

    @Test func linesPastTheRateAreDroppedCountedAndReportedInTheNextWindow() throws {
        var watch = TrafficWatch()
        _ = watch.start(session: 1, commandID: 5, pattern: GlobPattern("*"), now: 0)
        var sent = 0
        for index in 0..<(Watcher.linesPerSecond + 30) {
            sent += watch.copy("line \(index)", path: Array("x".utf8), now: UInt64(index)).count
        }
        #expect(sent == Watcher.linesPerSecond)
        let early = watch.reportDrops(now: second / 2)
        #expect(early.isEmpty)
        let report = watch.reportDrops(now: second)
        #expect(report.map(\.line) == ["... 30 lines dropped (more than \(Watcher.linesPerSecond) lines/s)"])
        let after = watch.reportDrops(now: second + 1)
        #expect(after.isEmpty)
        let stopped = watch.stop(session: 1)
        let watcher = try #require(stopped)
        #expect(watcher.sent == UInt64(Watcher.linesPerSecond))
        #expect(watcher.dropped == 30)
    }

    @Test func longLinesAreCutAndControlCharactersShown() {
        let long = String(repeating: "é", count: Watcher.maximumLineLength)
        let cut = TrafficWatch.cut(long)
        #expect(cut.utf8.count <= Watcher.maximumLineLength)
        #expect(cut.hasSuffix("..."))
        #expect(TrafficWatch.cut("a\tb\u{7F}c") == "a?b?c")
        // C1 controls too (U+0085 NEL, U+009B CSI), not the letters after them.
        #expect(TrafficWatch.cut("a\u{85}b\u{9B}c\u{A0}d") == "a?b?c\u{A0}d")
    }
}
