@testable import CubeCore
import Testing

/// `limits.memory` and `limits.memory.user` through the router: routes, offers and queued
/// commands are charged to their user, refused past the share, and returned when they end
/// (docs/security.md "Resource limits"). Buffered input: memory-budget.txt.
@Suite struct MemoryBudgetTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    private func router(_ extra: String) throws -> Router {
        let text = """
            access.cmd.usr.* = **
            \(extra)
            """
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        return Router(configuration: configuration, hasher: IdentityHasher(), seed: 3, now: now)
    }

    private func commands(_ count: Int, _ path: String, args: String = "") -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 1...count { bytes += Array("(\(index))\(path)\(args.isEmpty ? "" : " " + args)\n".utf8) }
        return bytes
    }

    /// A lease restored from the store is charged to its consumer's share once a session of
    /// the consumer takes it over (`renew`), once, and given back when it ends. Before, restored
    /// leases were held outside every share.
    @Test func aRestoredLeaseIsChargedWhenItsConsumerTakesItOver() throws {
        var router = try router("")
        let offer = OfferRecord(id: 1, kind: "disk", capacity: 10, attributes: [], requirement: nil, providerUser: "p", created: 0)
        let lease = LeaseRecord(id: 1, offer: 1, consumerUser: "c", amount: 5, ttl: 600, expiresWall: now.wall + 600)
        router.restoreMarket(MarketSnapshot(offers: [offer], leases: [lease], nextOfferID: 2, nextLeaseID: 2), now: now)
        let (consumer, _) = router.connectLocal(user: "c", transport: .local("test"), now: now)
        let before = router.memoryHeld
        let renewed = router.received(Array("(1)renew 1\n(2)renew 1 900\n".utf8), from: consumer, now: now)
        #expect(sent(to: consumer, renewed) == "(1)TRUE lease 1 renewed [ ttl 600 s ]\n(2)TRUE lease 1 renewed [ ttl 900 s ]\n")
        #expect(router.memoryHeld == before + Lease.memoryCost(user: "c"), "charged once")
        _ = router.received(Array("(3)release 1\n".utf8), from: consumer, now: now)
        #expect(router.memoryHeld == before)
    }

    @Test func openRoutesPastTheShareAreRefusedAndReturnedWhenTheyEnd() throws {
        var router = try router("limits.memory.user = 1048576\nlimits.routes-per-session = 1000000")
        let (asker, _) = router.connectLocal(user: "asker", transport: .local("test"), now: now)
        let (zenka, _) = router.connectLocal(user: "z", transport: .local("test"), now: now)
        let actions = router.received(commands(5_000, "z.never"), from: asker, now: now)
        let forwarded = sent(to: zenka, actions).split(separator: "\n").count
        let refused = sent(to: asker, actions).components(separatedBy: "FALSE memory limit reached [ limits.memory.user ]").count - 1
        #expect(forwarded + refused == 5_000)
        // Each open route costs 320 bytes and its path: 1 MiB holds 3,236 of them.
        #expect(forwarded == 1_048_576 / Route.memoryCost(pathLength: 7))
        #expect(router.memoryHeld == forwarded * Route.memoryCost(pathLength: 7))
        // The routes collapse when the zenka goes: everything is returned.
        _ = router.disconnected(zenka, now: now)
        #expect(router.memoryHeld == 0)
        #expect(router.memory.accounts["z"] == nil)
        // And the user may open routes again.
        let (again, _) = router.connectLocal(user: "z", transport: .local("test"), now: now)
        #expect(sent(to: again, router.received(commands(1, "z.never"), from: asker, now: now)).hasSuffix(")never\n"))
        #expect(router.routeCount == 1)
    }

    @Test func theLastEighthIsKeptForSmallHolders() throws {
        var router = try router("limits.memory = 16777216\nlimits.memory.user = 16777216\nlimits.routes-per-session = 1000000")
        let (hog, _) = router.connectLocal(user: "hog", transport: .local("test"), now: now)
        let (modest, _) = router.connectLocal(user: "modest", transport: .local("test"), now: now)
        _ = router.connectLocal(user: "z", transport: .local("test"), now: now)
        let actions = router.received(commands(60_000, "z.never"), from: hog, now: now)
        #expect(sent(to: hog, actions).contains("FALSE memory limit reached [ limits.memory ]"))
        #expect(router.memoryHeld <= 16_777_216 - 16_777_216 / 8)
        // Someone holding less than 1/64 of the limit is still served.
        let reply = sent(to: modest, router.received(Array("(1)heart\n(2)z.never\n".utf8), from: modest, now: now))
        #expect(reply == "(1)TRUE beating\n", "modest was refused: \(reply)")
        #expect(router.memory.accounts["modest"]?.bytes == Route.memoryCost(pathLength: 7))
    }

    @Test func offersAreChargedToTheirProviderAndListingsFitTheBodyLimit() throws {
        var router = try router("limits.memory.user = 1048576\nlimits.body = 65536")
        let (provider, _) = router.connectLocal(user: "provider", transport: .local("test"), now: now)
        let attribute = "note=" + String(repeating: "n", count: 60_000)
        var accepted = 0
        var refusal = ""
        for index in 1...40 {
            let reply = sent(to: provider, router.received(Array("(\(index))offer disk 10 \(attribute)\n".utf8),
                                                            from: provider, now: now))
            if reply.contains("TRUE offer") { accepted += 1 } else { refusal = reply }
        }
        #expect(accepted == 17, "60 KB offers within 1 MiB")
        #expect(refusal.hasSuffix("FALSE memory limit reached [ limits.memory.user ]\n"))
        // 17 × 60 KB would be a 1 MB listing: cut at limits.body, and it says so.
        let (reader, _) = router.connectLocal(user: "reader", transport: .local("test"), now: now)
        let listing = sent(to: reader, router.received(Array("(1)offers\n".utf8), from: reader, now: now))
        let header = listing.prefix { $0 != "\n" }
        #expect(header.hasPrefix("(1)SIZE "))
        #expect((Int(header.dropFirst("(1)SIZE ".count)) ?? .max) <= 65_536)
        #expect(listing.contains("... listing cut at limits.body: "))
        // Withdrawn with their provider: nothing stays charged.
        _ = router.disconnected(provider, now: now)
        #expect(router.memoryHeld == 0)
    }

    @Test func queuedCommandsAreChargedUntilAnsweredOrDrained() throws {
        var router = try router("limits.memory.user = 1048576")
        router.registerOnDemand("lazy")
        let (asker, _) = router.connectLocal(user: "asker", transport: .local("test"), now: now)
        let actions = router.received(commands(10_000, "lazy.work", args: String(repeating: "a", count: 100)), from: asker, now: now)
        let refused = sent(to: asker, actions).components(separatedBy: "FALSE memory limit reached").count - 1
        #expect(refused > 0 && refused < 10_000, "the queue is bounded by the share")
        #expect(router.memoryHeld > 1_000_000 && router.memoryHeld <= 1_048_576)
        _ = router.zenkaStartFailed("lazy", now: now)
        #expect(router.memoryHeld == 0)
    }
}
