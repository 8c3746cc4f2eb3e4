import CubeTestSupport
import Foundation
import Testing

/// The cube-side queue of a balanced zenka (docs/pooling.md "Queue") through a real cube
/// process with real zenka sessions: with every instance at `scale.target`, commands wait in
/// the cube and go to whichever instance frees or joins first; none is lost or duplicated.
@Suite(.serialized) struct PoolQueueLiveTests {
    static let balanced = """
        zenka.work.program = /bin/true
        zenka.work.start = manual
        zenka.work.dispatch = balanced
        zenka.work.scale.target = 1
        """

    /// Reads `count` reply lines `(<id>)<text>`, by id.
    private func replies(_ client: RawSocket, count: Int, within seconds: Double = 60) -> [Int: String] {
        var lines = ReplyLines()
        let deadline = Date().addingTimeInterval(seconds)
        while lines.replies.count < count, Date() < deadline, lines.read(client) != nil {}
        return lines.replies
    }

    private func send(_ client: RawSocket, _ ids: ClosedRange<Int>) {
        client.send(ids.map { "(\($0))work.job\n" }.joined())
    }

    @Test func theBacklogSpreadsOntoAnInstanceThatStartsLater() throws {
        let cube = try CubeProcess(extraConfiguration: Self.balanced)
        let early = try PacedZenka(name: "work", label: "early", delay: 0.05, cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        send(client, 1...40)
        // With a queue at the busy instance, the late one would only get new commands (none).
        Thread.sleep(forTimeInterval: 0.3)
        let late = try PacedZenka(name: "work", label: "late", delay: 0.05, cube: cube)
        let got = replies(client, count: 40)
        #expect(got.count == 40)
        #expect(got.values.allSatisfy { $0 == "TRUE early" || $0 == "TRUE late" }, "\(got.values.sorted())")
        let byLate = got.values.filter { $0 == "TRUE late" }.count
        #expect(byLate >= 5, "the late instance answered \(byLate) of 40")
        #expect(early.answered + late.answered == 40)
        #expect(client.drain(quiet: 0.3).isEmpty)
        early.stop()
        late.stop()
        cube.stop()
    }

    @Test func pastTheBoundTheSenderIsToldAndTheRestIsServed() throws {
        let cube = try CubeProcess(extraConfiguration: Self.balanced + "\nzenka.work.queue = 5")
        let zenka = try PacedZenka(name: "work", label: "one", delay: 0.05, cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        // One goes to the instance (its target), five wait, four are refused at once.
        send(client, 1...10)
        let got = replies(client, count: 10)
        #expect(got.count == 10)
        let refused = got.filter { $0.value == "FALSE queue full [ 5 commands wait for a free instance of work ]" }
        #expect(refused.count == 4, "\(got.sorted { $0.key < $1.key })")
        #expect(got.filter { $0.value == "TRUE one" }.count == 6)
        #expect(zenka.answered == 6)
        zenka.stop()
        cube.stop()
    }

    @Test func whatWaitedForAKilledInstanceIsAnsweredByAnother() throws {
        let cube = try CubeProcess(extraConfiguration: Self.balanced)
        let doomed = try PacedZenka(name: "work", label: "doomed", delay: 2, cube: cube)
        let other = try PacedZenka(name: "work", label: "other", delay: 0.02, cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        send(client, 1...20)
        Thread.sleep(forTimeInterval: 0.2)
        doomed.stop()
        let got = replies(client, count: 20)
        #expect(got.count == 20)
        // What the killed instance held collapses (docs/pooling.md "Failure cases"); nothing
        // that still waited in the cube is lost: the other instance answers all of it.
        let collapsed = got.values.filter { $0 == "FALSE command route collapsed" }.count
        #expect(collapsed <= 1)
        #expect(got.values.filter { $0 == "TRUE other" }.count == 20 - collapsed)
        #expect(got.values.allSatisfy { $0 == "TRUE other" || $0 == "FALSE command route collapsed" })
        other.stop()
        cube.stop()
    }
}
