import CubeCore
import Testing

/// Usage receipts through two pure routers joined by an in-memory link (docs/market.md "Usage
/// receipts"): `alice` on node `a` leases a priced offer of node `b`; `a` charges her every
/// `market.charge-interval` and pays `b` by receipts over the link; forged and replayed
/// records injected on the link are refused or counted once; both statements agree.
@Suite struct ReceiptNetworkTests {
    /// a — b, a provider `store` on b offering 3610 units at 1 credit per unit per hour (1
    /// credit a second), `alice` on a with 100 credits, and her lease of 3600 units granted.
    private func leased(credits: String = "100", extra: [String] = [])
        throws -> (net: SimulatedNetwork, alice: SessionID, links: (SessionID, SessionID)) {
        var (net, alice, store, links) = try offered(credits: credits, extra: extra)
        net.tick(seconds: 1)
        net.send("(3)acquire b:1 3600 600\n", from: alice, at: "a")
        let request = net.take(store, at: "b")
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request 1 a 3600 600\n$/)).1
        net.send("(\(tid))TRUE\n", from: store, at: "b")
        #expect(net.take(alice, at: "a") == "(3)TRUE lease 1 offer 1 amount 3600 ttl 600 price 1.000 since \(net.now.wall)\n")
        return (net, alice, links)
    }


    /// a — b, the provider `store` on b offering 3610 units (`attributes`), and `alice` on a
    /// with `credits`; b's advert with the offer not sent yet.
    private func offered(credits: String = "100", extra: [String] = [], attributes: String = "price=1")
        throws -> (net: SimulatedNetwork, alice: SessionID, store: SessionID, links: (SessionID, SessionID)) {
        var net = SimulatedNetwork()
        for name in ["a", "b"] { try net.add(name, extra: ["market.charge-interval = 2"] + extra) }
        let links = net.link("a", "b")
        let store = net.connect("store", at: "b", kind: .zenka)
        net.send("(1)offer storage 3610 \(attributes)\n", from: store, at: "b")
        #expect(net.take(store, at: "b") == "(1)TRUE offer 1\n")
        let alice = net.connect("alice", at: "a")
        let root = net.connect("root", at: "a")
        net.send("(2)grant alice \(credits)\n", from: root, at: "a")
        #expect(net.take(root, at: "a").hasPrefix("(2)TRUE granted \(credits).000 credits to alice"))
        return (net, alice, store, links)
    }

    /// Every receipt line that crossed the link from `node`.
    private func receipts(_ net: SimulatedNetwork, from node: String, _ session: SessionID) -> [String] {
        let bytes = net.traffic[SimulatedNetwork.Link(node: node, session: session)] ?? []
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter { UsageReceipt(text: $0) != nil }
    }

    @Test func theConsumersNodeChargesAndPaysByReceiptsAndBothStatementsAgree() throws {
        var (net, alice, links) = try leased()
        for _ in 0..<3 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-2.000", "-2.000"])
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000", "2.000", "2.000"])
        // b charged nobody on its own: a's link has no account there.
        #expect(net.credits("a", at: "b", "lease").isEmpty)
        // Released after one more second: a last receipt up to the end.
        net.tick(seconds: 1)
        net.send("(4)b.release 1\n", from: alice, at: "a")
        // 93 credits left is under five minutes' worth: she was warned, as a local consumer is,
        // and hears the end with the provider's node.
        #expect(net.take(alice, at: "a") == "lease-warning b:1 low-credit\nlease-end b:1 released\n(4)TRUE lease 1 released\n")
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-2.000", "-2.000", "-1.000"])
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000", "2.000", "2.000", "1.000"])
        let balance = net.connect("alice", at: "a")
        net.send("(5)balance\n", from: balance, at: "a")
        #expect(net.take(balance, at: "a") == "(5)TRUE 93.000 credits\n")
        // Four receipts went out, each came back countersigned; no charge after the end.
        let sent = receipts(net, from: "a", links.0), acked = receipts(net, from: "b", links.1)
        #expect(sent.count == 4 && acked.count == 4 && sent.allSatisfy { $0.hasSuffix(" -") })
        #expect(acked.compactMap { UsageReceipt(text: $0)?.unacknowledged.text } == sent)
        for _ in 0..<3 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ").count == 4)
    }

    /// How a hostile provider's node rewrites its grant (`W`: the time of the grant), and the
    /// consumer's node's answer.
    struct HostileGrant: Sendable, CustomTestStringConvertible {
        let attributes: String
        let from: String
        let to: String
        let why: String
        var testDescription: String { "\(attributes.isEmpty ? "free" : attributes): \(from) → \(to)" }
    }

    /// A hostile provider's node grants other than asked: above its advert's price, a price
    /// for an offer it advertised free (which also skipped the credit check), a hundred times
    /// the amount, or charging since 1970. The consumer's node refuses the grant, gives the
    /// lease back and charges nothing. Before, it opened a tab with whatever the grant named.
    @Test(arguments: [
        HostileGrant(attributes: "price=1", from: "price 1.000 since", to: "price 50.000 since",
                     why: "at 50.000, advertised at 1.000"),
        HostileGrant(attributes: "", from: "ttl 600\n", to: "ttl 600 price 50.000 since W\n", why: "at 50.000, advertised at 0.000"),
        HostileGrant(attributes: "price=1", from: "amount 3600 ", to: "amount 360000 ", why: "for 360000, asked for 3600"),
        HostileGrant(attributes: "price=1", from: "since W", to: "since 0", why: "charged from 0, now is W"),
        HostileGrant(attributes: "price=1", from: "ttl 600 ", to: "ttl 6000 ", why: "for 6000 s, asked for 600 s"),
    ])
    func aGrantOtherThanAskedIsRefusedAndGivenBack(_ hostile: HostileGrant) throws {
        var (net, alice, store, _) = try offered(attributes: hostile.attributes)
        // Not advertised yet: a does not know its price, and asks b nothing.
        net.send("(9)acquire b:1 3600 600\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a") == "(9)FALSE no such offer 'b:1'\n")
        #expect(net.take(store, at: "b").isEmpty)
        net.tick(seconds: 1)
        let wall = "\(net.now.wall)"
        let (from, to) = (hostile.from.replacingOccurrences(of: "W", with: wall), hostile.to.replacingOccurrences(of: "W", with: wall))
        net.rewrite["b"] = { Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: from, with: to).utf8) }
        net.send("(3)acquire b:1 3600 600\n", from: alice, at: "a")
        let request = net.take(store, at: "b")
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request 1 a 3600 600\n$/)).1
        net.send("(\(tid))TRUE\n", from: store, at: "b")
        let why = hostile.why.replacingOccurrences(of: "W", with: wall)
        #expect(net.take(alice, at: "a") == "(3)FALSE grant refused [ b:1 \(why); given back ]\n")
        // b ended the lease at once, for the reason a gave; nothing is charged on either side.
        #expect(net.events["b", default: []].contains(.leaseEnded(id: 1, reason: "grant-refused")))
        net.rewrite["b"] = nil
        for _ in 0..<3 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease").isEmpty)
        #expect(net.credits("store", at: "b", "lease").isEmpty)
        net.send("(4)leases\n", from: alice, at: "a")
        #expect(!net.take(alice, at: "a").contains("b:1"))
    }

    /// A refused grant whose lease id was rewritten to one this node already holds there is
    /// not given back by that id: the line would end the other user's lease (a second reader).
    @Test func aRefusedGrantNamingAnotherHeldLeaseDoesNotEndIt() throws {
        var (net, _, _) = try leased()
        let bob = net.connect("bob", at: "a")
        let root = net.connect("root", at: "a")
        net.send("(1)grant bob 100\n", from: root, at: "a")
        _ = net.take(root, at: "a")
        net.rewrite["b"] = {
            Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "lease 2 offer 1 amount 10 ttl 600 price 1.000",
                                                                            with: "lease 1 offer 1 amount 10 ttl 600 price 9.000").utf8)
        }
        net.send("(2)acquire b:1 10 600\n", from: bob, at: "a")
        let store = try #require(net.routers["b"]?.sessions(of: "store").first)
        let asked = net.take(store, at: "b")
        let tid = try #require(asked.firstMatch(of: /^\((\d+)\)lease-request 2 a 10 600\n$/), "\(asked) \(net.take(bob, at: "a"))").1
        net.send("(\(tid))TRUE\n", from: store, at: "b")
        #expect(net.take(bob, at: "a")
            == "(2)FALSE grant refused [ b:1 at 9.000, advertised at 1.000; not given back: lease 1 there is another one held here ]\n")
        net.rewrite["b"] = nil
        // Alice's lease 1 goes on, charged as before.
        #expect(!net.events["b", default: []].contains { if case .leaseEnded(1, _) = $0 { true } else { false } })
        net.tick(seconds: 2)
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000"])
    }

    /// A provider's node that never says the lease ended (it drops `ended` from its
    /// `usage-acks`) stops being paid once the user's `b.release` is answered: the consumer's
    /// node closes the tab on that answer. Before, it charged on until the user ran out.
    @Test func aReleaseAnsweredStopsTheChargesWhenTheProviderNeverSaysEnded() throws {
        var (net, alice, _) = try leased()
        net.tick(seconds: 2)
        net.rewrite["b"] = {
            Array(String(decoding: $0, as: UTF8.self).replacing(/ended \d+ \d+( \w+)?\n/, with: "").utf8)
        }
        net.tick(seconds: 1)
        net.send("(4)b.release 1\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a").hasSuffix("(4)TRUE lease 1 released\n"))
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-1.000"])
        for _ in 0..<5 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-1.000"], "charged after the release")
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000", "1.000"])
    }

    /// A lease left to run out is charged up to its end and no further, and its consumer told
    /// (after a minute's grace for the provider's own `ended`), even when the provider's node
    /// never says it ended; a renewal through this node moves the end, by no more than the ttl
    /// asked. Before, the tab ran until the user ran out.
    @Test func aLeaseRunsOutHereWhenTheProviderNeverSaysEndedAndARenewalMovesTheEnd() throws {
        var (net, alice, store, _) = try offered(credits: "1000")
        net.tick(seconds: 1)
        net.send("(3)acquire b:1 3600 6\n", from: alice, at: "a")
        let tid = try #require(net.take(store, at: "b").firstMatch(of: /^\((\d+)\)lease-request 1 a 3600 6\n$/)).1
        net.send("(\(tid))TRUE\n", from: store, at: "b")
        #expect(net.take(alice, at: "a").hasPrefix("(3)TRUE lease 1 "))
        net.rewrite["b"] = {
            Array(String(decoding: $0, as: UTF8.self).replacing(/ended \d+ \d+( \w+)?\n/, with: "")
                .replacing(/lease-end \d+ \w+\n/, with: "")
                .replacingOccurrences(of: "renewed [ ttl 10 s ]", with: "renewed [ ttl 4000 s ]").utf8)
        }
        net.tick(seconds: 2)
        // Granted for 6 s; renewed after 2 s for 10 (b says 4,000): it now ends 12 s in.
        net.send("(4)b.renew 1 10\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a").hasSuffix("(4)TRUE lease 1 renewed [ ttl 4000 s ]\n"))
        for _ in 0..<5 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ") == Array(repeating: "-2.000", count: 6))
        #expect(!net.take(alice, at: "a").contains("lease-end"), "not before the grace")
        for _ in 0..<31 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ") == Array(repeating: "-2.000", count: 6), "charged past the end")
        #expect(net.take(alice, at: "a").contains("lease-end b:1 expired\n"))
    }

    /// A user's release or renewal of another user's lease on another node is refused by the
    /// consumers' node: the provider's node holds both in its name and cannot tell them apart.
    @Test func aUserCannotReleaseOrRenewAnotherUsersLeaseElsewhere() throws {
        var net = SimulatedNetwork()
        try net.add("a", extra: ["market.charge-interval = 2", "access.cmd.usr.root = **", "access.cmd.usr.alice = b.* acquire statement",
                                 "access.cmd.usr.bob = b.* statement"], everyone: false)
        try net.add("b", extra: ["market.charge-interval = 2"])
        _ = net.link("a", "b")
        let store = net.connect("store", at: "b", kind: .zenka)
        net.send("(1)offer storage 3600 price=1\n", from: store, at: "b")
        let (alice, bob, root) = (net.connect("alice", at: "a"), net.connect("bob", at: "a"), net.connect("root", at: "a"))
        net.send("(2)grant alice 100\n", from: root, at: "a")
        net.tick(seconds: 1)
        net.send("(3)acquire b:1 3600 600\n", from: alice, at: "a")
        let tid = try #require(net.take(store, at: "b").firstMatch(of: /\((\d+)\)lease-request 1 a 3600 600\n$/)).1
        net.send("(\(tid))TRUE\n", from: store, at: "b")
        #expect(net.take(alice, at: "a").hasPrefix("(3)TRUE lease 1 "))
        net.send("(1)b.renew 1 2592000\n(2)b.release 1\n", from: bob, at: "a")
        #expect(net.take(bob, at: "a") == "(1)FALSE lease 1 is not yours\n(2)FALSE lease 1 is not yours\n")
        // Hers to renew; an administrator may release it.
        net.send("(4)b.renew 1 600\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a").hasSuffix("(4)TRUE lease 1 renewed [ ttl 600 s ]\n"))
        net.send("(5)b.release 1\n", from: root, at: "a")
        #expect(net.take(root, at: "a").hasSuffix("(5)TRUE lease 1 released\n"))
    }

    /// An `ended` whose time is ahead of the consumer's clock (a hostile payee) is charged
    /// only up to now: before, the time up to it was billed at once.
    @Test func anEndInTheFutureIsChargedOnlyUpToNow() throws {
        var (net, _, links) = try leased()
        net.tick(seconds: 2)
        let record = Render.multilineCommand(id: 0, path: "usage-acks".utf8,
                                             Multiline(headers: [], body: [Array("ended 1 \(net.now.wall + 1_000_000) released".utf8)]))
        net.tick(seconds: 1)
        net.inject(record, on: links.0, at: "a")
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-1.000"])
    }

    /// The same end in the future given as the refusal of a pending receipt (`refused <lease>
    /// <seq> ended <wall>`): the receipt is refunded and replaced by one up to now, no further.
    @Test func aRefusalEndingInTheFutureIsChargedOnlyUpToNow() throws {
        var (net, _, links) = try leased()
        net.tick(seconds: 2)
        // b's acknowledgements lost: receipt 2 stays pending.
        net.rewrite["b"] = { _ in [] }
        net.tick(seconds: 2)
        net.rewrite["b"] = nil
        let refusal = "refused 1 2 ended \(net.now.wall + 1_000_000)"
        net.inject(Render.multilineCommand(id: 0, path: "usage-acks".utf8, Multiline(headers: [], body: [Array(refusal.utf8)])),
                   on: links.0, at: "a")
        #expect(net.credits("alice", at: "a", "lease b:1") == ["-2.000", "-2.000", "2.000", "-2.000"])
    }

    @Test func forgedAndReplayedRecordsOnTheLinkCountNothing() throws {
        var (net, _, links) = try leased()
        net.tick(seconds: 2)
        let genuine = try #require(receipts(net, from: "a", links.0).first.flatMap { UsageReceipt(text: $0) })
        let before = net.events["b", default: []].count
        func record(_ lines: [String]) -> [UInt8] {
            Render.multilineCommand(id: 0, path: "usage-receipts".utf8, Multiline(headers: [], body: lines.map { Array($0.utf8) }))
        }
        // Replayed: the same receipt again, acknowledged again and counted once.
        net.inject(record([genuine.text]), on: links.1, at: "b")
        // Altered after signing, and signed by a key that is not a's.
        let altered = genuine.text.replacingOccurrences(of: " 2000 ", with: " 20000 ")
        let forged = UsageReceipt(payer: "a", payee: "b", lease: 1, sequence: 2, from: genuine.to, to: genuine.to + 2, amount: 2000,
                                  payerKey: genuine.payerKey, payeeKey: genuine.payeeKey)
            .signed(by: ToySigner(publicKey: ToyMAC.key(for: "mallory")))
        net.inject(record([altered, forged.text, "not a receipt"]), on: links.1, at: "b")
        let refusals = net.events["b", default: []].dropFirst(before).map(\.description)
        #expect(refusals == ["receipt-refused a refused 1 1 forged", "receipt-refused a refused 1 2 forged",
                             "receipt-refused a refused 0 0 malformed"], "\(refusals)")
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000"])
        // a's own charging goes on unharmed.
        net.tick(seconds: 2)
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000", "2.000"])
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-2.000"])
    }

    @Test func aConsumerOutOfCreditHasTheLeaseReleasedAndNothingIsCounted() throws {
        var (net, alice, _) = try leased(credits: "3")
        net.tick(seconds: 2)
        net.tick(seconds: 2)
        // 3 - 2 - 2 = -1: a released the lease on b in its own name; b told a when it ended.
        #expect(net.credits("alice", at: "a", "lease b:1 ") == ["-2.000", "-2.000"])
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000", "2.000"])
        let leases = net.connect("root", at: "b")
        net.send("(6)leases\n", from: leases, at: "b")
        #expect(!net.take(leases, at: "b").contains("active"))
        for _ in 0..<3 { net.tick(seconds: 2) }
        #expect(net.credits("alice", at: "a", "lease b:1 ").count == 2)
        // Without credit she cannot lease the priced offer again (checked on a, before asking b).
        net.send("(7)acquire b:1 10\n", from: alice, at: "a")
        #expect(net.take(alice, at: "a")
            == "lease-warning b:1 low-credit\nlease-end b:1 out-of-credit\n(7)FALSE insufficient credit [ balance -1.000 ]\n")
    }

    @Test func aLeaseWhosePayerStopsPayingEnds() throws {
        // The consumer's link is kept an hour (leases.grace), but no receipt comes: after
        // ten intervals, at least five minutes, b ends the lease as unpaid.
        var (net, _, links) = try leased(extra: ["leases.grace = 3600"])
        net.tick(seconds: 2)
        net.cut("a", links.0)
        net.tick(seconds: 200)
        #expect(!net.events["b", default: []].contains(.leaseEnded(id: 1, reason: "unpaid")))
        net.tick(seconds: 200)
        #expect(net.events["b", default: []].contains(.leaseEnded(id: 1, reason: "unpaid")))
        #expect(net.credits("store", at: "b", "lease 1 income") == ["2.000"])
    }
}
