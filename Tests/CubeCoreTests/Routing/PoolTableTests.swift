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
        #expect(table.enqueue(try queued(1, at: 10), for: "calc", countLimit: 2, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(2, at: 20), for: "calc", countLimit: 2, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(3, at: 30), for: "calc", countLimit: 2, byteLimit: 100) == .count(limit: 2))
        #expect(table.enqueue(try queued(4, at: 30), for: "other", countLimit: 0, byteLimit: 100) == .count(limit: 0))
        // The oldest goes first; one that finds no instance goes back in front, with its age.
        let taken = table.takeNext("calc")
        let first = try #require(taken)
        #expect(first.source == 1)
        #expect(table.enqueue(try queued(5, at: 40), for: "calc", countLimit: 3, byteLimit: 100) == nil)
        table.putBack(first, for: "calc")
        #expect(table.waitingCount("calc") == 3)
        #expect(table.takeExpired(now: 50, timeout: 30).map(\.source) == [1, 2])
        #expect(table.takeQueued(by: 5).map(\.source) == [5])
        #expect(!table.hasWaiting("calc"))
        #expect(table.namesWaiting.isEmpty)
    }

    /// Whether a session still has commands waiting is counted, not searched for (docs/pooling.md
    /// "Queue"): the count follows every way a command leaves, over every name, and a session
    /// whose last one was sent is no longer asked about.
    @Test func eachSessionsWaitingCommandsAreCountedAcrossNames() throws {
        var table = PoolTable()
        #expect(table.enqueue(try queued(1, at: 10), for: "calc", countLimit: 10, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(1, at: 11), for: "echo", countLimit: 10, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(2, at: 12), for: "calc", countLimit: 10, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(3, at: 13), for: "calc", countLimit: 1, byteLimit: 100) == .count(limit: 1))
        #expect(table.holdsQueued(by: 1) && table.holdsQueued(by: 2) && !table.holdsQueued(by: 3))
        // Sent: one of session 1's two is gone; taken back, it waits again.
        let oldest = table.takeNext("calc")
        let taken = try #require(oldest)
        #expect(table.holdsQueued(by: 1))
        table.putBack(taken, for: "calc")
        #expect(table.takeNext("calc")?.source == 1)
        #expect(table.takeWaiting("echo").map(\.source) == [1])
        #expect(!table.holdsQueued(by: 1))
        #expect(table.takeQueued(by: 1).isEmpty)
        #expect(table.takeExpired(now: 100, timeout: 10).map(\.source) == [2])
        #expect(!table.holdsQueued(by: 2))
        // A leaving session takes its own from every name, oldest name first.
        #expect(table.enqueue(try queued(4, at: 20), for: "echo", countLimit: 10, byteLimit: 100) == nil)
        #expect(table.enqueue(try queued(4, at: 21), for: "calc", countLimit: 10, byteLimit: 100) == nil)
        #expect(table.takeQueued(by: 4).map(\.queued) == [21, 20])
        #expect(!table.holdsQueued(by: 4) && table.namesWaiting.isEmpty)
    }

    @Test func drainingAndRemoteCountsAreForgottenWithTheirCause() {
        var table = PoolTable()
        table.drain(7, of: "calc", forLease: false)
        #expect(table.isDraining(7, of: "calc"))
        #expect(!table.isDraining(8, of: "calc"))
        #expect(!table.drainedForLease(7, of: "calc"))
        table.drain(9, of: "calc", forLease: true)
        #expect(table.isDraining(9, of: "calc") && table.drainedForLease(9, of: "calc"))
        table.sessionLeft(7, of: "calc")
        table.sessionLeft(9, of: "calc")
        #expect(!table.isDraining(7, of: "calc"))
        #expect(!table.isDraining(9, of: "calc") && !table.drainedForLease(9, of: "calc"))
        table.remoteSent("calc", to: "b")
        table.remoteSent("calc", to: "b")
        #expect(table.remoteOutstanding("calc", at: "b") == 2)
        table.remoteEnded("calc", at: "b")
        table.remoteEnded("calc", at: "b")
        table.remoteEnded("calc", at: "b")
        #expect(table.remoteOutstanding("calc", at: "b") == 0)
    }

    /// Instances the manager stops take no new commands; a lease's end may take only one that
    /// is coming back (a restart), never one stopped for good (`v7.stop`: taken, the manager
    /// would swap its mark with a running served instance and undo the stop).
    @Test func aLeasesEndTakesOnlyAnInstanceThatIsComingBack() {
        var table = PoolTable()
        table.managerStops(11, of: "work", comingBack: false)
        #expect(table.isDraining(11, of: "work"))
        #expect(table.takeStoppingForLease("work") == nil)
        table.managerStops(12, of: "work", comingBack: true)
        #expect(table.takeStoppingForLease("work") == 12)
        #expect(table.drainedForLease(12, of: "work"))
        #expect(table.takeStoppingForLease("work") == nil)
        // Both were ordered to stop already: no order goes out when they are idle.
        #expect(table.takeDrained("work", isIdle: { _ in true }).isEmpty)
        table.sessionLeft(12, of: "work")
        #expect(!table.isDraining(12, of: "work"))
    }
}
