@testable import CubeCore
import Testing

/// Bursts onto other nodes (docs/pooling.md "Bursts"), on routers joined in memory: the
/// compute offer travels in the adverts, the consumer's planner leases what the excess needs
/// with `acquire <offer> <n> <ttl> run calc`, the provider orders the instances and drains
/// them when the lease ends.
@Suite struct BurstNetworkTests {
    /// a: `calc` balanced, one instance at most, bursting at once. b and d lend compute;
    /// d's offer runs only `echo`.
    static let consumer = ["zenka.calc.program = /bin/true", "zenka.calc.dispatch = balanced",
                           "zenka.calc.scale.target = 1", "zenka.calc.scale.up-after = 0",
                           "zenka.calc.scale.down-after = 2", "zenka.calc.scale.cooldown = 0",
                           "zenka.calc.bursts = 1"]
    static let provider = ["zenka.calc.program = /bin/true", "zenka.calc.dispatch = balanced",
                           "zenka.calc.instances.min = 0", "zenka.calc.scale.down-after = 1",
                           "zenka.echo.program = /bin/true", "zenka.echo.dispatch = balanced"]

    private struct Setup {
        var net: SimulatedNetwork
        let client: SessionID
        let calcA: SessionID
    }

    /// a — b, a — d; b offers `compute 2 runs=calc`, d `compute 2 runs=echo`.
    private func setup(consumer: [String] = Self.consumer) throws -> Setup {
        var net = SimulatedNetwork()
        try net.add("a", extra: consumer)
        try net.add("b", extra: Self.provider)
        try net.add("d", extra: Self.provider)
        net.link("a", "b")
        net.link("a", "d")
        let managerB = net.connect("v7", at: "b")
        net.send("(1)offer compute 2 runs=calc\n", from: managerB, at: "b")
        #expect(net.take(managerB, at: "b") == "(1)TRUE offer 1\n")
        let managerD = net.connect("v7", at: "d")
        net.send("(1)offer compute 2 runs=echo\n", from: managerD, at: "d")
        #expect(net.take(managerD, at: "d") == "(1)TRUE offer 1\n")
        let calcA = net.connect("calc", at: "a", kind: .zenka)
        let client = net.connect("alice", at: "a")
        net.tick(seconds: 1)
        return Setup(net: net, client: client, calcA: calcA)
    }

    @Test func theComputeOfferIsAdvertisedWithRunsAndLoad() throws {
        let setup = try setup()
        let a = try #require(setup.net.routers["a"]?.topology)
        #expect(a.advert(of: "b")?.offers.map(\.attributes) == [["runs=calc", "load=0"]])
        #expect(a.advert(of: "d")?.offers.map(\.attributes) == [["runs=echo", "load=0"]])
    }

    /// The target ids of the commands in `text` (`(<id>)<command>` lines).
    private static func ids(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in line.firstMatch(of: /^\((\d+)\)/).map { String($0.1) } }
    }

    /// a's only calc instance holds one command (its target) and one waits in a's queue: a
    /// bursts onto b (d runs only echo); with b's next advert the waiting command goes to b's
    /// new instance, and a third one waits for whichever instance frees first.
    private func burst(_ setup: inout Setup) throws -> SessionID {
        setup.net.send("(1)calc.one\n(2)calc.two\n", from: setup.client, at: "a")
        setup.net.tick(seconds: 1)
        // b granted the lease and asked its manager for an instance; d was never asked.
        #expect(setup.net.orders["b"] == [.serve("calc")])
        #expect(setup.net.orders["d"] == nil)
        #expect(setup.net.events["a"]?.contains(.burst(name: "calc", node: "b", lease: 1, ended: nil)) == true)
        let acquires = setup.net.traffic.filter { String(decoding: $0.value, as: UTF8.self).contains(".acquire") }
        #expect(acquires.keys.map(\.node) == ["a"])
        #expect(String(decoding: acquires.values.first ?? [], as: UTF8.self).contains("b.acquire 1 1 600 run calc\n"))
        // The instance logs in on b; with b's next advert the waiting command goes there.
        let calcB = setup.net.connect("calc", at: "b", kind: .zenka)
        setup.net.tick(seconds: 1)
        setup.net.tick(seconds: 1)
        setup.net.send("(3)calc.three\n", from: setup.client, at: "a")
        return calcB
    }

    @Test func loadedAtItsMaximumANodeBurstsOntoTheNodeThatRunsItAndReleasesWhenIdle() throws {
        var setup = try setup()
        let calcB = try burst(&setup)
        let atA = Self.ids(setup.net.take(setup.calcA, at: "a"))
        let atB = Self.ids(setup.net.take(calcB, at: "b"))
        #expect(atA.count == 1 && atB.count == 1, "a \(atA) b \(atB)")
        let stats = setup.net.routers["a"]?.zenkaStats("calc", now: setup.net.now) ?? ""
        #expect(stats.contains("-          b      1             1 advertised, burst lease 1"), "\(stats)")
        #expect(stats.contains("queued 1\n"), "\(stats)")
        for id in atA { setup.net.send("(\(id))TRUE a\n", from: setup.calcA, at: "a") }
        for id in atB { setup.net.send("(\(id))TRUE b\n", from: calcB, at: "b") }
        // The third waited in a's queue; a's instance freed first and took it.
        let third = Self.ids(setup.net.take(setup.calcA, at: "a"))
        #expect(third.count == 1)
        for id in third { setup.net.send("(\(id))TRUE a\n", from: setup.calcA, at: "a") }
        #expect(setup.net.take(setup.client, at: "a") == "(1)TRUE a\n(2)TRUE b\n(3)TRUE a\n")
        // Idle for down-after (2 s): a releases the lease, b drains its instance and stops it.
        setup.net.tick(seconds: 1)
        setup.net.tick(seconds: 2)
        #expect(setup.net.events["a"]?.contains(.burst(name: "calc", node: "b", lease: 1, ended: "released")) == true)
        #expect(setup.net.orders["b"] == [.serve("calc"), .stop("calc", calcB, leaseEnded: true)])
        #expect(setup.net.events["b"]?.contains(.leaseEnded(id: 1, reason: "released")) == true)
    }

    /// A surge (demand at twice the target or more) bursts after `scale.surge-after` when the
    /// pools are planned between ticks, long before `scale.up-after`; the provider advertises
    /// its new instance as soon as it logs in, and a's waiting commands go there, all without
    /// a tick (docs/pooling.md "Surges").
    @Test func aSurgeBurstsBetweenTicksAndTheNewInstanceIsAdvertisedAtOnce() throws {
        let surging = Self.consumer.map { $0.replacingOccurrences(of: "up-after = 0", with: "up-after = 5") }
            .filter { !$0.contains("bursts") } + ["zenka.calc.scale.surge-after = 0.2", "zenka.calc.bursts = 2"]
        var setup = try setup(consumer: surging)
        // a's instance logged in (a planning to publish it); with nothing waiting, one call ends it.
        #expect(setup.net.routers["a"]?.poolsWantPlanning == true)
        setup.net.plan(milliseconds: 100)
        #expect(setup.net.routers["a"]?.poolsWantPlanning == false)
        let asked = setup.net.planningAsked["a"] ?? 0
        // a's instance holds one (target 1), three wait: demand 4, at least twice 1 × 1. The
        // first queued command asks for the planning between ticks, once.
        setup.net.send("(1)calc.one\n(2)calc.two\n(3)calc.three\n(4)calc.four\n", from: setup.client, at: "a")
        #expect(setup.net.planningAsked["a"] == asked + 1)
        setup.net.plan(milliseconds: 100)
        setup.net.plan(milliseconds: 100)
        #expect(setup.net.orders["b"] == nil)
        setup.net.plan(milliseconds: 100)
        // 0.2 s of surge: what the excess needs (3), within `bursts` (2), on b.
        #expect(setup.net.orders["b"] == [.serve("calc"), .serve("calc")])
        #expect(setup.net.orders["d"] == nil)
        // The instance logging in on b has b plan once more: its advert goes out at once, and
        // a's waiting commands reach the new instance without a tick.
        let calcB = setup.net.connect("calc", at: "b", kind: .zenka)
        #expect(setup.net.take(calcB, at: "b") == "")
        #expect(setup.net.routers["b"]?.poolsWantPlanning == true)
        let published = setup.net.routers["b"]?.stats.advertsPublished ?? 0
        setup.net.plan(milliseconds: 100)
        #expect(setup.net.routers["b"]?.stats.advertsPublished == published + 1)
        #expect(setup.net.routers["b"]?.poolsWantPlanning == false)
        var answered = Self.ids(setup.net.take(calcB, at: "b"))
        #expect(answered.count == 1)
        // A change of outstanding counts alone waits for the tick: no advert from b now.
        for id in answered { setup.net.send("(\(id))TRUE b\n", from: calcB, at: "b") }
        setup.net.plan(milliseconds: 100)
        #expect(setup.net.routers["b"]?.stats.advertsPublished == published + 1)
        // Once nothing waits on a, its planning between ticks stops.
        for _ in 0..<4 {
            for id in Self.ids(setup.net.take(setup.calcA, at: "a")) { setup.net.send("(\(id))TRUE a\n", from: setup.calcA, at: "a") }
            answered = Self.ids(setup.net.take(calcB, at: "b"))
            for id in answered { setup.net.send("(\(id))TRUE b\n", from: calcB, at: "b") }
        }
        #expect(setup.net.take(setup.client, at: "a").split(separator: "\n").count == 4)
        #expect(setup.net.routers["a"]?.poolsWantPlanning == true)
        setup.net.plan(milliseconds: 100)
        #expect(setup.net.routers["a"]?.poolsWantPlanning == false)
    }

    /// Sessions of a balanced zenka's name logging in one after another get no more than the
    /// budget of adverts between ticks (a second reader's finding: one advert per login,
    /// flooded to every node, up to ten a second); leaving instances wait for the tick.
    @Test func instancesLoggingInOneAfterAnotherDoNotFloodAdverts() throws {
        var setup = try setup()
        setup.net.plan(milliseconds: 100)
        let published = setup.net.routers["b"]?.stats.advertsPublished ?? 0
        var logins: [SessionID] = []
        for _ in 0..<20 {
            logins.append(setup.net.connect("calc", at: "b", kind: .zenka))
            setup.net.plan(milliseconds: 200)
        }
        // 4 s of it: the five of the budget and one more per 2 s, against twenty logins.
        let adverts = (setup.net.routers["b"]?.stats.advertsPublished ?? 0) - published
        #expect((AdvertBudget.capacity...AdvertBudget.capacity + 2).contains(adverts), "\(adverts) adverts")
        for calc in logins { setup.net.disconnect(calc, at: "b") }
        setup.net.plan(milliseconds: 200)
        #expect((setup.net.routers["b"]?.stats.advertsPublished ?? 0) - published == adverts)
    }

    @Test func whenTheProviderGoesTheRoutesCollapseAndTheLeaseEnds() throws {
        var setup = try setup()
        let calcB = try burst(&setup)
        #expect(Self.ids(setup.net.take(calcB, at: "b")).count == 1)
        let link = try #require(setup.net.routers["a"]?.linkSessions["b"]?.first)
        setup.net.cut("a", link)
        // What b held collapses; what still waited here is not lost.
        #expect(setup.net.take(setup.client, at: "a") == "(2)FALSE command route collapsed\n")
        setup.net.tick(seconds: 1)
        #expect(setup.net.events["a"]?.contains(.burst(name: "calc", node: "b", lease: 1, ended: "provider-gone")) == true)
        // A new command is placed again: on a's own instance, never towards b, after the
        // one that waited.
        setup.net.send("(4)calc.four\n", from: setup.client, at: "a")
        for _ in 0..<3 {
            for id in Self.ids(setup.net.take(setup.calcA, at: "a")) {
                setup.net.send("(\(id))TRUE a\n", from: setup.calcA, at: "a")
            }
        }
        #expect(setup.net.take(setup.client, at: "a") == "(1)TRUE a\n(3)TRUE a\n(4)TRUE a\n")
    }

    /// Only the node (its manager) lends its slots: a user's `compute` offer with `runs=` is
    /// refused. Before, a user offered `runs=calc` to themselves, leased it for nothing,
    /// started `calc` processes, and the release drained the node's own `calc` for good.
    @Test func onlyTheNodeLendsItsSlots() throws {
        var net = SimulatedNetwork()
        try net.add("b", extra: Self.provider)
        let user = net.connect("nobody", at: "b", kind: .client(method: "unix"))
        net.send("(1)offer compute 10 runs=calc\n(2)offer compute 10 cores=2\n", from: user, at: "b")
        #expect(net.take(user, at: "b") == "(1)FALSE a compute offer with runs= lends this node's slots: only the node "
                    + "makes it [ node.compute.slots, node.compute.runs ]\n(2)TRUE offer 1\n")
        let zenka = net.connect("v7", at: "b", kind: .zenka)
        net.send("(1)offer compute 10 runs=calc\n", from: zenka, at: "b")
        #expect(net.take(zenka, at: "b").hasPrefix("(1)FALSE a compute offer with runs="))
        let manager = net.connect("v7", at: "b")
        net.send("(1)offer compute 2 runs=calc\n", from: manager, at: "b")
        #expect(net.take(manager, at: "b") == "(1)TRUE offer 2\n")
    }

    @Test func aNodeWhoseOwnSlotsAreAllLentBurstsBeforeItsMaximum() throws {
        var net = SimulatedNetwork()
        try net.add("a", extra: Self.consumer.filter { !$0.contains("bursts") } + ["zenka.calc.instances.max = 4"])
        try net.add("b", extra: Self.provider)
        net.link("a", "b")
        let managerA = net.connect("v7", at: "a")
        net.send("(1)offer compute 1 runs=calc\n", from: managerA, at: "a")
        let managerB = net.connect("v7", at: "b")
        net.send("(1)offer compute 2 runs=calc\n", from: managerB, at: "b")
        let calcA = net.connect("calc", at: "a", kind: .zenka)
        let client = net.connect("alice", at: "a")
        net.tick(seconds: 1)
        // Loaded at one instance of four: a grows here, it does not burst.
        net.send((1...6).map { "(\($0))calc.job\n" }.joined(), from: client, at: "a")
        net.tick(seconds: 1)
        #expect(net.orders["a"] == [.start("calc")])
        #expect(net.orders["b"] == nil)
        // Its one slot is leased (here, by alice): no room left on a, so it bursts onto b, in
        // one lease for what the excess needs (6 waiting over 2 instances) within b's 2 slots.
        net.send("(7)acquire 1 1 600 run calc\n", from: client, at: "a")
        #expect(net.take(client, at: "a") == "(7)TRUE lease 1 offer 1 amount 1 ttl 600\n")
        net.tick(seconds: 1)
        #expect(net.orders["b"] == [.serve("calc"), .serve("calc")], "\(net.orders) \(net.events)")
        let acquires = net.traffic.filter { String(decoding: $0.value, as: UTF8.self).contains(".acquire") }
        #expect(String(decoding: acquires.values.first ?? [], as: UTF8.self).contains("b.acquire 1 2 600 run calc\n"))
        _ = net.take(calcA, at: "a")
    }
}
