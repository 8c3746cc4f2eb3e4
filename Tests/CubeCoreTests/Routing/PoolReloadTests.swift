import CubeCore
import Testing

/// A reload that takes a balanced zenka away, or makes it fan out, while commands wait for it
/// (docs/configuration.md "Reload", docs/pooling.md "Queue"). Before, they stayed in the
/// queue, charged to their senders, until `timeouts.route` (never, with 0): a hostile tester
/// saw 198 of them answered only after 29 s, and their senders refused for memory meanwhile.
@Suite struct PoolReloadTests {
    static let balanced = ["zenka.calc.program = /bin/true", "zenka.calc.dispatch = balanced",
                           "zenka.calc.scale.target = 1", "timeouts.route = 0"]

    private static func targetID(_ line: Substring) throws -> Substring {
        try #require(line.firstMatch(of: /^\((\d+)\)/)?.1)
    }

    @Test func aRemovedZenkasWaitingCommandsAreAnsweredAtOnceAndTheirMemoryReturns() throws {
        var net = SimulatedNetwork()
        try net.add("a", extra: Self.balanced)
        let calc = net.connect("calc", at: "a", kind: .zenka)
        let client = net.connect("alice", at: "a")
        net.send("(1)calc.one\n", from: client, at: "a")
        let sent = net.take(calc, at: "a")
        let oneRoute = try #require(net.routers["a"]).memoryHeld
        // The instance holds its target (1): two wait in the cube, charged to alice.
        net.send("(2)calc.two\n(3)calc.three\n", from: client, at: "a")
        #expect(net.take(calc, at: "a") == "")
        #expect(try #require(net.routers["a"]).memoryHeld > oneRoute)

        try net.reconfigure("a", extra: ["timeouts.route = 0"])
        #expect(net.take(client, at: "a") == "(2)FALSE client not present\n(3)FALSE client not present\n")
        #expect(try #require(net.routers["a"]).memoryHeld == oneRoute)
        #expect(try #require(net.routers["a"]).zenkaStats("calc", now: net.now)?.contains("queued 0\n") == true)
        // What the instance holds is its own: its answer still arrives.
        let first = try Self.targetID(Substring(sent))
        net.send("(\(first))TRUE 1\n", from: calc, at: "a")
        #expect(net.take(client, at: "a") == "(1)TRUE 1\n")
        #expect(net.take(calc, at: "a") == "")
    }

    @Test func aZenkaThatNoLongerBalancesRoutesWhatWaitedAsIfItArrivedNow() throws {
        var net = SimulatedNetwork()
        try net.add("a", extra: Self.balanced)
        let calc1 = net.connect("calc", at: "a", kind: .zenka)
        let calc2 = net.connect("calc", at: "a", kind: .zenka)
        let client = net.connect("alice", at: "a")
        net.send("(1)calc.one\n(2)calc.two\n(3)calc.three\n(4)calc.four\n", from: client, at: "a")
        let held1 = net.take(calc1, at: "a")
        let held2 = net.take(calc2, at: "a")
        #expect(held1.split(separator: "\n").count == 1)
        #expect(held2.split(separator: "\n").count == 1)

        // `dispatch = all`: every instance gets a copy of what waited, oldest first.
        try net.reconfigure("a", extra: ["zenka.calc.program = /bin/true", "timeouts.route = 0"])
        let copies1 = net.take(calc1, at: "a").split(separator: "\n")
        let copies2 = net.take(calc2, at: "a").split(separator: "\n")
        #expect(copies1.map { $0.drop { $0 != ")" } } == [")three", ")four"])
        #expect(copies2.map { $0.drop { $0 != ")" } } == [")three", ")four"])
        #expect(try #require(net.routers["a"]).zenkaStats("calc", now: net.now)?.contains("queued 0\n") == true)
        #expect(net.take(client, at: "a") == "")

        // Every copy is answered; the commands' memory returns with their routes.
        for (calc, lines) in [(calc1, held1.split(separator: "\n") + copies1), (calc2, held2.split(separator: "\n") + copies2)] {
            for line in lines { net.send("(\(try Self.targetID(line)))TRUE ok\n", from: calc, at: "a") }
        }
        let answers = net.take(client, at: "a").split(separator: "\n")
        #expect(answers.count == 6)
        #expect(Set(answers) == ["(1)TRUE ok", "(2)TRUE ok", "(3)TRUE ok", "(4)TRUE ok"])
    }
}
