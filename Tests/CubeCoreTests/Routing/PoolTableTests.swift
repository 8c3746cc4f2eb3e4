@testable import CubeCore
import Testing

/// The balanced zenki's queues, draining marks and remote counts (docs/pooling.md).
@Suite struct PoolTableTests {
    private func queued(_ source: SessionID, at time: UInt64) throws -> QueuedCommand {
        let command = Command(id: source, path: Array("calc.add".utf8))
        let path = try #require(CommandPath(command.path))
        return QueuedCommand(source: source, command: command, path: path, queued: time, account: nil, cost: 0)
    }

    @Test func theQueueIsBoundedAndKeepsOrderAndAge() throws {
        var table = PoolTable()
        #expect(table.enqueue(try queued(1, at: 10), for: "calc", limit: 2) == nil)
        #expect(table.enqueue(try queued(2, at: 20), for: "calc", limit: 2) == nil)
        #expect(table.enqueue(try queued(3, at: 30), for: "calc", limit: 2) == .full(limit: 2))
        #expect(table.enqueue(try queued(4, at: 30), for: "other", limit: 0) == .full(limit: 0))
        let taken = table.takeWaiting("calc")
        #expect(taken.map(\.source) == [1, 2])
        // What found no instance goes back in front of what came since, with its age.
        #expect(table.enqueue(try queued(5, at: 40), for: "calc", limit: 3) == nil)
        table.putBack(Array(taken.dropFirst()), for: "calc")
        #expect(table.takeExpired(now: 50, timeout: 30).map(\.source) == [2])
        #expect(table.takeQueued(by: 5).map(\.source) == [5])
        #expect(!table.hasWaiting("calc"))
        #expect(table.namesWaiting.isEmpty)
    }

    @Test func drainingAndRemoteCountsAreForgottenWithTheirCause() {
        var table = PoolTable()
        table.drain(7, of: "calc")
        #expect(table.isDraining(7, of: "calc"))
        #expect(!table.isDraining(8, of: "calc"))
        table.sessionLeft(7, of: "calc")
        #expect(!table.isDraining(7, of: "calc"))
        table.remoteSent("calc", to: "b")
        table.remoteSent("calc", to: "b")
        #expect(table.remoteOutstanding("calc", at: "b") == 2)
        table.remoteEnded("calc", at: "b")
        table.remoteEnded("calc", at: "b")
        table.remoteEnded("calc", at: "b")
        #expect(table.remoteOutstanding("calc", at: "b") == 0)
    }
}
