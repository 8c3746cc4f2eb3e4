import CubeCore
import Testing

/// A full queue of a balanced zenka makes room for a user holding less than half of it, at the
/// expense of the user holding the most (docs/pooling.md "Queue"): before, one user kept the
/// queue full and every other user's command got `queue full` or timed out (a hostile second
/// reader). A lone user still has the whole queue.
@Suite struct PoolQueueShareTests {
    static let balanced = ["zenka.calc.program = /bin/true", "zenka.calc.dispatch = balanced",
                           "zenka.calc.scale.target = 1", "zenka.calc.queue = 4"]

    /// Node `a` with the balanced zenka `calc` (`extra` added to its configuration), its one
    /// instance, and the users alice and bob.
    static func node(_ extra: [String] = []) throws -> (SimulatedNetwork, calc: SessionID, alice: SessionID, bob: SessionID) {
        var net = SimulatedNetwork()
        try net.add("a", extra: balanced + extra)
        let calc = net.connect("calc", at: "a", kind: .zenka)
        let alice = net.connect("alice", at: "a")
        let bob = net.connect("bob", at: "a")
        return (net, calc, alice, bob)
    }

    @Test func aUserHoldingTheQueueGivesWayToAnotherUpToHalf() throws {
        var (net, calc, alice, bob) = try Self.node()
        // The instance takes one (its target); alice fills the queue of 4 and meets its bound.
        net.send("(1)calc.a1\n(2)calc.a2\n(3)calc.a3\n(4)calc.a4\n(5)calc.a5\n(6)calc.a6\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a") == "(6)FALSE queue full [ 4 commands wait for a free instance of calc ]\n")
        _ = net.take(calc, at: "a")
        // bob's first two each take the place of alice's newest; his third meets his half.
        net.send("(1)calc.b1\n(2)calc.b2\n(3)calc.b3\n", from: bob, at: "a")
        let dropped = "FALSE queue full [ dropped for another user: one user holds at most half of the 4 commands that wait for calc while others wait ]"
        #expect(net.take(alice, at: "a") == "(5)\(dropped)\n(4)\(dropped)\n")
        #expect(net.take(bob, at: "a") == "(3)FALSE queue full [ 4 commands wait for a free instance of calc ]\n")
        // alice now holds half: no more room taken from bob.
        net.send("(7)calc.a7\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a") == "(7)FALSE queue full [ 4 commands wait for a free instance of calc ]\n")
        #expect(try #require(net.routers["a"]).zenkaStats("calc", now: net.now)?.contains("queued 4\n") == true)
    }

    /// A user who floods and half-closes (a pipe, `nc -N`) gives way as well: its session left
    /// the user directory when its input ended while its commands still wait. Before, room was
    /// looked for in the directory, found nothing, and every other user got `queue full`
    /// (a hostile tester's finding).
    @Test func aFlooderThatHalfClosesGivesWayToo() throws {
        var (net, calc, alice, bob) = try Self.node()
        net.send("(1)calc.a1\n(2)calc.a2\n(3)calc.a3\n(4)calc.a4\n(5)calc.a5\n", from: alice, at: "a")
        net.endInput(alice, at: "a")
        _ = net.take(calc, at: "a")
        net.send("(1)calc.b1\n", from: bob, at: "a")
        let dropped = "FALSE queue full [ dropped for another user: one user holds at most half of the 4 commands that wait for calc while others wait ]"
        #expect(net.take(alice, at: "a") == "(5)\(dropped)\n")
        #expect(net.take(bob, at: "a") == "")
        #expect(try #require(net.routers["a"]).zenkaStats("calc", now: net.now)?.contains("queued 4\n") == true)
    }

    /// A link carries several users' commands: room is made from the hog's commands only,
    /// never from another user's that came over the same session.
    @Test func roomIsMadeFromTheHogsCommandsOnly() {
        var queue = PoolQueue<String>()
        for item in ["alice-1", "bob-1", "alice-2", "bob-2"] {
            _ = queue.enqueue(item, source: 7, bytes: 1, at: 0, countLimit: 10, byteLimit: 100)
        }
        #expect(queue.takeNewest(from: 7, matching: { $0.hasPrefix("alice") })?.item == "alice-2")
        #expect(queue.takeNewest(from: 7, matching: { $0.hasPrefix("carol") }) == nil)
        #expect(queue.count == 3)
        #expect(queue.takeNext()?.item == "alice-1")
        #expect(queue.takeNext()?.item == "bob-1")
        #expect(queue.takeNext()?.item == "bob-2")
        #expect(queue.isEmpty && !queue.holds(from: 7))
    }

    /// A sender hears within `timeouts.route` of sending, whether its command waited in the
    /// queue, was taken by an instance after waiting, or both (a hostile tester saw commands
    /// answered 8.35 s after sending with a timeout of 5 s).
    @Test func aWaitingCommandTimesOutWithinTheRouteTimeoutOfItsSending() throws {
        var (net, calc, alice, bob) = try Self.node(["timeouts.route = 5"])
        net.send("(1)calc.first\n(2)calc.second\n(3)calc.third\n", from: alice, at: "a")
        net.tick(seconds: 2)
        net.send("(1)calc.late\n", from: bob, at: "a")
        // The instance answers the first at 3 s: alice's second is taken, bob's waits on.
        let sent = net.take(calc, at: "a")
        let tid = try #require(sent.split(separator: ")").first.map { $0.dropFirst() })
        net.tick(seconds: 1)
        net.send("(\(tid))TRUE done\n", from: calc, at: "a")
        #expect(net.take(alice, at: "a") == "(1)TRUE done\n")
        net.tick(seconds: 1)
        net.tick(seconds: 1)
        // 5 s after alice sent them: both of hers are answered, the one the instance took too.
        let answered = net.take(alice, at: "a")
        #expect(answered.contains("(2)FALSE route timeout"), "\(answered)")
        #expect(answered.contains("(3)FALSE route timeout [ no instance was free ]"), "\(answered)")
        #expect(net.take(bob, at: "a") == "")
    }

    /// A command whose whole route timeout went by in the queue is not sent when an instance
    /// frees before the tick answers it: it would run, and its answer be lost to the timeout
    /// (a second reader's finding).
    @Test func aCommandThatWaitedItsWholeTimeoutIsNotSentLate() throws {
        var net = SimulatedNetwork()
        try net.add("a", extra: Self.balanced + ["timeouts.route = 5"])
        let calc = net.connect("calc", at: "a", kind: .zenka)
        let alice = net.connect("alice", at: "a")
        net.send("(1)calc.first\n(2)calc.second\n", from: alice, at: "a")
        let sent = net.take(calc, at: "a")
        let tid = try #require(sent.split(separator: ")").first.map { $0.dropFirst() })
        // 5.5 s later, between ticks, the instance answers the first.
        net.plan(milliseconds: 5500)
        net.send("(\(tid))TRUE done\n", from: calc, at: "a")
        let answered = net.take(alice, at: "a")
        #expect(answered.contains("(1)TRUE done\n"))
        #expect(answered.contains("(2)FALSE route timeout [ no instance was free ]\n"), "\(answered)")
        #expect(net.take(calc, at: "a") == "")
    }
}
