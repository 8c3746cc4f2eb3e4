import CubeCore
import Testing

/// Balanced dispatch across nodes (docs/pooling.md "Remote instances"), on routers joined in
/// memory: instances and their load travel in the signed adverts.
@Suite struct PoolNetworkTests {
    static let balanced = ["zenka.calc.program = /bin/true", "zenka.calc.dispatch = balanced",
                           "zenka.calc.scale.target = 1"]

    /// a — b — c; `calc` instances on a and b (balanced there) and on c (fan-out there).
    private func net() throws -> (SimulatedNetwork, client: SessionID, calcA: SessionID, calcB: SessionID, calcC: SessionID) {
        var net = SimulatedNetwork()
        try net.add("a", extra: Self.balanced)
        try net.add("b", extra: Self.balanced)
        try net.add("c", extra: ["zenka.calc.program = /bin/true"])
        net.link("a", "b")
        net.link("b", "c")
        let calcA = net.connect("calc", at: "a", kind: .zenka)
        let calcB = net.connect("calc", at: "b", kind: .zenka)
        let calcC = net.connect("calc", at: "c", kind: .zenka)
        let client = net.connect("alice", at: "a")
        net.tick(seconds: 1)
        return (net, client, calcA, calcB, calcC)
    }

    private static func targetID(_ text: String, _ command: String) throws -> Substring {
        try #require(text.firstMatch(of: /^\((\d+)\)(.*)\n$/).map { match -> Substring in
            #expect(match.2 == command)
            return match.1
        })
    }

    @Test func advertsCarryTheLoadOfBalancedZenkiOnly() throws {
        let (net, _, _, _, _) = try net()
        let a = try #require(net.routers["a"]?.topology)
        #expect(a.advert(of: "b")?.loads == [AdvertLoad(name: "calc", instances: 1, outstanding: 0)])
        #expect(a.advert(of: "c")?.loads == [])
        #expect(a.advert(of: "c")?.zenki == ["calc"])
    }

    @Test func pastTheTargetACommandGoesToTheBestRemoteInstanceAndBack() throws {
        var (net, client, calcA, calcB, calcC) = try net()
        net.send("(1)calc.add 1 1\n", from: client, at: "a")
        let first = try Self.targetID(net.take(calcA, at: "a"), "add 1 1")
        // a's instance is at the target (1): b's idle one is the best in the network.
        net.send("(2)calc.add 2 2\n", from: client, at: "a")
        #expect(net.take(calcA, at: "a") == "")
        let second = try Self.targetID(net.take(calcB, at: "b"), "add 2 2")
        net.send("(\(second))TRUE 4\n", from: calcB, at: "b")
        net.send("(\(first))TRUE 2\n", from: calcA, at: "a")
        #expect(net.take(client, at: "a") == "(2)TRUE 4\n(1)TRUE 2\n")
        // c runs calc with fan-out: it advertises no load and is never asked.
        #expect(net.take(calcC, at: "c") == "")
    }

    @Test func commandsSentToANodeCountUntilItsNextAdvert() throws {
        var (net, client, calcA, calcB, _) = try net()
        net.send("(1)calc.one\n(2)calc.two\n(3)calc.three\n", from: client, at: "a")
        // a: 1 outstanding (target reached); b's advert says 0, but a counts its own one:
        // every instance holds the target, so the third waits in a's queue (docs/pooling.md
        // "Queue") for the first that frees.
        let atA = net.take(calcA, at: "a")
        #expect(atA.split(separator: "\n").count == 1)
        #expect(net.take(calcB, at: "b").split(separator: "\n").count == 1)
        #expect(net.routers["a"]?.zenkaStats("calc", now: net.now)?.contains("queued 1\n") == true)
        let first = try Self.targetID(atA, "one")
        net.send("(\(first))TRUE 1\n", from: calcA, at: "a")
        _ = try Self.targetID(net.take(calcA, at: "a"), "three")
    }

    @Test func aCommandFromALinkIsNeverBalancedOnAgain() throws {
        var (net, client, calcA, calcB, _) = try net()
        // b's only instance is busy; a command arriving from a waits at b instead of bouncing.
        let bClient = net.connect("bob", at: "b")
        net.send("(1)calc.one\n", from: bClient, at: "b")
        let atB = net.take(calcB, at: "b")
        net.send("(2)calc.two\n", from: client, at: "a")
        net.send("(3)calc.three\n", from: client, at: "a")
        #expect(net.take(calcA, at: "a").split(separator: "\n").count == 1)
        #expect(net.take(calcB, at: "b") == "")
        // b's instance answers bob: the command from a that waited at b goes to it.
        let first = try Self.targetID(atB, "one")
        net.send("(\(first))TRUE 1\n", from: calcB, at: "b")
        #expect(net.take(bClient, at: "b") == "(1)TRUE 1\n")
        _ = try Self.targetID(net.take(calcB, at: "b"), "three")
    }
}
