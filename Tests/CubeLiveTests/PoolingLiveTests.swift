import CubeTestSupport
import Foundation
import Testing

/// Balanced dispatch through a real cube process with real zenka sessions (docs/pooling.md).
@Suite(.serialized) struct PoolingLiveTests {
    static let balanced = """
        zenka.work.program = /bin/true
        zenka.work.start = manual
        zenka.work.dispatch = balanced
        """

    /// Sends `total` commands for `work`, keeping `window` outstanding; returns each reply's
    /// text by command id (a duplicate or unknown id is recorded as an issue).
    private func run(_ client: RawSocket, total: Int, window: Int) -> [Int: String] {
        var lines = ReplyLines()
        var sent = 0
        while sent < min(window, total) {
            sent += 1
            client.send("(\(sent))work.job\n")
        }
        let deadline = Date().addingTimeInterval(60)
        while lines.replies.count < total, Date() < deadline, let answered = lines.read(client) {
            var batch = ""
            for _ in answered where sent < total {
                sent += 1
                batch += "(\(sent))work.job\n"
            }
            if !batch.isEmpty { client.send(batch) }
        }
        return lines.replies
    }

    @Test func unevenWorkersEachCommandToOneInstanceTheSlowOneGetsLess() throws {
        let cube = try CubeProcess(extraConfiguration: Self.balanced)
        let fast = try (1...3).map { try PacedZenka(name: "work", label: "fast\($0)", delay: 0.002, cube: cube) }
        let slow = try PacedZenka(name: "work", label: "slow", delay: 0.02, cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        let total = 600
        let replies = run(client, total: total, window: 8)
        // Exactly one reply per command, all from one instance each.
        #expect(replies.count == total)
        #expect(replies.values.allSatisfy { $0.hasPrefix("TRUE ") })
        #expect(client.drain(quiet: 0.3).isEmpty)
        let bySlow = replies.values.filter { $0 == "TRUE slow" }.count
        // Fan-out would give every instance every command; a blind rotation a quarter each.
        // Least-outstanding leaves the 10× slower instance a small share (generous bound).
        #expect(bySlow > 0 && bySlow < total * 15 / 100, "slow instance answered \(bySlow) of \(total)")
        #expect(fast.map(\.answered).reduce(0, +) + slow.answered == total)
        for zenka in fast + [slow] { zenka.stop() }
        cube.stop()
    }

    @Test func withoutAnInstanceCommandsWaitAndTheFirstOneTakesThem() throws {
        let cube = try CubeProcess(extraConfiguration: Self.balanced + "\nzenka.work.queue = 2")
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("(1)work.job\n(2)work.job\n(3)work.job\n")
        #expect(client.read(until: "\n") == "(3)FALSE queue full [ 2 commands wait for a free instance of work ]\n")
        let zenka = try PacedZenka(name: "work", label: "late", delay: 0, cube: cube)
        let lines = (client.read(until: "\n") + client.read(until: "\n")).split(separator: "\n")
        #expect(lines == ["(1)TRUE late", "(2)TRUE late"])
        zenka.stop()
        cube.stop()
    }
}
