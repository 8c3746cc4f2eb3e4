import Testing
@testable import CubeCore

/// ``OnDemandTable`` on its own: registration, one start per wave of commands, draining,
/// expiry and a leaving sender (docs/protocol.md §6).
@Suite struct OnDemandTableTests {
    private func queued(_ source: SessionID, id: UInt64, at queued: UInt64) throws -> QueuedCommand {
        let command = Command(id: id, path: Array("calc.add".utf8), args: Array("1 2".utf8))
        let path = try #require(CommandPath(command.path))
        return QueuedCommand(source: source, command: command, path: path, queued: queued, account: nil, cost: 0)
    }

    @Test func registeringKeepsTheFirstIdAndUnknownNamesQueueNothing() throws {
        var table = OnDemandTable()
        table.register("calc")
        table.register("db")
        table.register("calc")
        #expect(table.id(of: "calc") == 1)
        #expect(table.id(of: "db") == 2)
        #expect(Set(table.names) == ["calc", "db"])
        let started = table.enqueue(try queued(1, id: 10, at: 0), for: "nope")
        #expect(!started)
        #expect(table.takeQueue("nope") == nil)
    }

    @Test func theFirstQueuedCommandAsksForOneStartUntilTheQueueIsTaken() throws {
        var table = OnDemandTable()
        table.register("calc")
        let first = table.enqueue(try queued(1, id: 10, at: 0), for: "calc")
        let second = table.enqueue(try queued(2, id: 11, at: 5), for: "calc")
        #expect(first && !second)
        #expect(table.isStarting("calc"))
        let markedAgain = table.markStarting("calc")
        #expect(!markedAgain)
        let taken = table.takeQueue("calc")
        let queue = try #require(taken)
        #expect(queue.map(\.command.id) == [10, 11])
        #expect(!table.isStarting("calc"))
        let afterDrain = table.enqueue(try queued(1, id: 12, at: 9), for: "calc")
        #expect(afterDrain)
        #expect(table.id(of: "calc") == 1)
    }

    @Test func expiryTakesOnlyOldCommandsAndLeavingTakesOnlyTheSendersOwn() throws {
        var table = OnDemandTable()
        table.register("calc")
        table.register("db")
        _ = table.enqueue(try queued(1, id: 10, at: 0), for: "calc")
        _ = table.enqueue(try queued(2, id: 11, at: 50), for: "calc")
        _ = table.enqueue(try queued(1, id: 12, at: 60), for: "db")
        let expired = table.expire(timeout: 100, now: 120)
        #expect(expired.map(\.command.id) == [10])
        let gone = table.remove(source: 1)
        #expect(gone.map(\.command.id) == [12])
        let taken = table.takeQueue("calc")
        let calc = try #require(taken)
        #expect(calc.map(\.command.id) == [11])
        let unregistered = table.unregister("db")
        #expect(unregistered?.isEmpty == true)
        #expect(!table.contains("db"))
    }
}
