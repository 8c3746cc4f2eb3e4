@testable import CubeMount
import CubeCore
import CubeFS
import CubeFUSE
import Logging
import Testing

/// The market's part of the mount tree (`offers/<id>/`, `leases/<id>/`, `ledger/`), without
/// FUSE and without root: listings, the command a market file's line stands for, and the
/// errno of each refusal (docs/market.md "The market as files").
@Suite struct MarketTreeTests {
    @Test func offersLeasesAndTheLedgerListTheirRows() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "market-tree"))
        #expect(fileSystem.children(of: .root).map(\.name).suffix(3) == ["offers", "leases", "ledger"])
        #expect(fileSystem.children(of: .directory(.ledger)).map(\.name) == ["balance", "statement"])
        let provider = hub.connectLocal(Sink(), user: "store", transport: .local("test"))
        hub.received(Array("offer storage 1000 price=2\n".utf8), from: provider)
        let offer = OfferName(node: nil, id: 1)
        #expect(fileSystem.children(of: .directory(.offers)).map(\.name) == ["1"])
        #expect(fileSystem.children(of: .offer(offer)).map(\.name) == ["info", "acquire"])
        #expect(fileSystem.children(of: .offer(OfferName(node: nil, id: 2))).isEmpty)
        #expect(fileSystem.children(of: .lease(1)).isEmpty, "no lease yet")
        #expect(Node.offer(offer).isDirectory && Node.lease(1).isDirectory)
        #expect(Node.offerFile(.acquire, offer).permissions == 0o666 && Node.offerFile(.info, offer).permissions == 0o444)
        #expect(Node.leaseFile(.renew, 1).isAsk && !Node.leaseFile(.usage, 1).isAsk && Node.leaseFile(.usage, 1).isTextFile)
        let info = TextViews.render(.offerFile(.info, offer), of: fileSystem, uid: 0)
        #expect(info.hasPrefix("id: 1\nkind: storage\nprovider: store\n") && info.hasSuffix("price: 2\n"), "\(info)")
    }

    /// A provider that takes a lease and withdraws its offer: its next offer's `info` shows
    /// the record this node keeps (docs/market.md "Reputation").
    @Test func anOffersInfoShowsItsProvidersReputation() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "market-tree"))
        let provider = Provider(hub: hub)
        provider.say("offer storage 100")
        let consumer = hub.connectLocal(Sink(), user: "alice", transport: .local("test"))
        hub.received(Array("acquire 1 10 60\n".utf8), from: consumer)
        #expect(waitFor { hub.inspect { $0.allLeases.first?.state == .active } })
        provider.say("unoffer 1")
        provider.say("offer storage 100")
        let info = TextViews.render(.offerFile(.info, OfferName(node: nil, id: 2)), of: fileSystem, uid: 0)
        #expect(info.hasSuffix("available: 100\ngranted: 1\nended_early: 1\n"), "\(info)")
    }

    @Test func aLineWrittenToAMarketFileIsItsCommand() {
        func line(_ node: Node, _ text: String) -> String? {
            guard case .line(let bytes)? = node.marketCommand(.line(Array(text.utf8))) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        let local = Node.offerFile(.acquire, OfferName(node: nil, id: 3))
        let remote = Node.offerFile(.acquire, OfferName(node: "n2", id: 4))
        #expect(line(local, "100MiB 60") == "acquire 3 100MiB 60")
        #expect(line(local, "(7)  1GiB") == "(7)acquire 3 1GiB")
        #expect(line(remote, "10") == "acquire n2:4 10")
        #expect(line(local, "") == "acquire 3")
        #expect(line(.leaseFile(.renew, 5), "") == "renew 5")
        #expect(line(.leaseFile(.renew, 5), "\t120") == "renew 5 120")
        #expect(line(.file(.ask, .cube), "heart") == "heart", "cmd and ask files pass lines through")
        #expect(local.marketCommand(.multiline(header: Array("x+".utf8), lines: [])) == nil)
        #expect(local.commandPort == .cube && Node.leaseFile(.renew, 5).commandPort == .cube)
        #expect(Node.offerFile(.info, OfferName(node: nil, id: 3)).commandPort == nil)
    }

    /// Every market refusal the router answers maps to its errno through its reply text.
    @Test func eachMarketRefusalHasItsErrno() {
        let cases: [(MarketRefusal, Errno)] = [
            (.noSuchOffer("9"), .noSuchFileOrDirectory), (.invalidAmount("x"), .invalidArgument),
            (.invalidTTL("0"), .invalidArgument), (.insufficientCapacity(available: 3), .noSpace),
            (.providerAbsent, .noSuchFileOrDirectory), (.requirementNotMet(offer: 2), .permissionDenied),
            (.noSuchLease("4"), .noSuchFileOrDirectory), (.notYours(lease: 4), .permissionDenied),
            (.insufficientCredit(balance: 0), .quotaExceeded),
        ]
        for (refusal, errno) in cases {
            #expect(MarketRefusal.Kind(replyText: refusal.text) == refusal.kind, "\(refusal.text)")
            #expect(NetworkFileSystem.errno(forMarketRefusal: refusal.text) == errno, "\(refusal.text)")
        }
        #expect(NetworkFileSystem.errno(forMarketRefusal: AcquireQuery.usage) == .invalidArgument)
        #expect(NetworkFileSystem.errno(forMarketRefusal: "route timeout") == .ioError)
        #expect(NetworkFileSystem.errno(forMarketRefusal: "memory limit reached [ limits.memory.user ]") == .outOfMemory)
        #expect(MarketRefusal.Kind(replyText: "lease refused by provider") == nil)
    }
}
