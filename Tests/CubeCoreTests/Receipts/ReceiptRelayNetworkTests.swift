import CubeCore
import Testing

/// Usage receipts between nodes that are not neighbours, through three pure routers on a line
/// a — b — c (docs/market.md "Receipts across the network"): `alice` on a leases a priced offer
/// of c; a and c settle with each other end to end, b passes the records on and is neither
/// charged nor credited; records b alters, forges or replays are refused.
@Suite struct ReceiptRelayNetworkTests {
    struct Line {
        var net: SimulatedNetwork
        let alice: SessionID
        let store: SessionID
        /// (a's link to b, b's link to a), (b's link to c, c's link to b).
        let ab: (SessionID, SessionID)
        let bc: (SessionID, SessionID)
    }

    /// a — b — c, `store` on c offering 3600 units at 1 credit per unit per hour, `alice` on a
    /// with `credits`, her lease of 3600 units for 600 s granted.
    func leased(credits: String = "100", extra: [String] = []) throws -> Line {
        var net = SimulatedNetwork()
        for name in ["a", "b", "c"] { try net.add(name, extra: ["market.charge-interval = 2"] + extra) }
        let ab = net.link("a", "b"), bc = net.link("b", "c")
        net.tick(seconds: 1)
        let store = net.connect("store", at: "c", kind: .zenka)
        net.send("(1)offer storage 3600 price=1\n", from: store, at: "c")
        #expect(net.take(store, at: "c") == "(1)TRUE offer 1\n")
        let alice = net.connect("alice", at: "a")
        let root = net.connect("root", at: "a")
        net.send("(2)grant alice \(credits)\n", from: root, at: "a")
        _ = net.take(root, at: "a")
        net.tick(seconds: 1)
        net.send("(3)acquire c:1 3600 600\n", from: alice, at: "a")
        let request = net.take(store, at: "c")
        // The lease is held in b's name on c (b's link asked), paid by a.
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request 1 b 3600 600\n$/)).1
        net.send("(\(tid))TRUE\n", from: store, at: "c")
        #expect(net.take(alice, at: "a") == "(3)TRUE lease 1 offer 1 amount 3600 ttl 600 price 1.000 since \(net.now.wall)\n")
        return Line(net: net, alice: alice, store: store, ab: ab, bc: bc)
    }


    /// The enveloped records that crossed from `node` on `session`, as (headers, body) text.
    private func envelopes(_ net: SimulatedNetwork, from node: String, _ session: SessionID) -> [String] {
        let text = String(decoding: net.traffic[SimulatedNetwork.Link(node: node, session: session)] ?? [], as: UTF8.self)
        return text.components(separatedBy: "usage-").dropFirst().filter { $0.contains("\nfrom: ") || $0.contains("\nfrom:") }
    }

    @Test func endNodesSettleEndToEndAndTheNodeBetweenIsUntouched() throws {
        var line = try leased()
        for _ in 0..<3 { line.net.tick(seconds: 2) }
        line.net.tick(seconds: 1)
        line.net.send("(4)c.release 1\n", from: line.alice, at: "a")
        // Warned (93 credits is under five minutes' worth) and told of the end, with the provider node.
        #expect(line.net.take(line.alice, at: "a") == "lease-warning c:1 low-credit\nlease-end c:1 released\n(4)TRUE lease 1 released\n")
        line.net.tick(seconds: 1)
        let charged = line.net.credits("alice", at: "a", "lease c:1 ")
        #expect(charged == ["-2.000", "-2.000", "-2.000", "-1.000"])
        #expect(line.net.credits("store", at: "c", "lease 1 income") == ["2.000", "2.000", "2.000", "1.000"])
        // b: no account charged for the lease, no income, nothing.
        #expect(line.net.credits("b", at: "c", "lease").isEmpty)
        #expect(line.net.credits("a", at: "b", "lease").isEmpty && line.net.credits("b", at: "b", "lease").isEmpty)
        // Receipts crossed b in envelopes, signed by a; acknowledgements in envelopes signed by c.
        #expect(envelopes(line.net, from: "a", line.ab.0).count >= 4)
        #expect(envelopes(line.net, from: "b", line.bc.0).count >= 4)
        #expect(envelopes(line.net, from: "c", line.bc.1).count >= 4)
        #expect(line.net.events["b", default: []].filter { "\($0)".hasPrefix("receipt-refused") }.isEmpty)
    }

    @Test func recordsAlteredForgedOrReplayedOnTheWayAreRefusedAndLogged() throws {
        var line = try leased()
        line.net.tick(seconds: 2)
        // The record a sent, as b received it.
        let sent = String(decoding: line.net.traffic[SimulatedNetwork.Link(node: "a", session: line.ab.0)] ?? [], as: UTF8.self)
        let start = try #require(sent.range(of: "usage-receipts+\n"))
        let record = String(sent[start.lowerBound...].prefix { _ in true })
        let end = try #require(record.range(of: "\n.\n"))
        let genuine = String(record[..<end.upperBound])
        let before = line.net.events["c", default: []].count
        // Replayed by b towards c, altered (2 credits → 20), and with the hop count changed (not signed).
        let hopsChanged = genuine.replacingOccurrences(of: "hops: 31", with: "hops: 30")
        let altered = genuine.replacingOccurrences(of: " 2000 ", with: " 20000 ")
        for bytes in [genuine, hopsChanged, altered] { line.net.inject(Array(bytes.utf8), on: line.bc.1, at: "c") }
        let refusals = line.net.events["c", default: []].dropFirst(before).map(\.description)
        #expect(refusals.count == 3 && refusals.allSatisfy { $0.hasPrefix("receipt-refused b ") }, "\(refusals)")
        #expect(refusals.filter { $0.contains(" replayed envelope from a ") }.count == 2)
        #expect(refusals.filter { $0.contains(" forged envelope from a ") }.count == 1)
        #expect(line.net.credits("store", at: "c", "lease 1 income") == ["2.000"])
        line.net.tick(seconds: 2)
        #expect(line.net.credits("store", at: "c", "lease 1 income") == ["2.000", "2.000"])
        #expect(line.net.credits("alice", at: "a", "lease c:1 ") == ["-2.000", "-2.000"])
    }

    @Test func aConsumerRunningOutIsWarnedThenTheLeaseEnds() throws {
        // 7 credits: after 2 s 5 are left (under five minutes' worth): warned; then 3, 1, -1: ended.
        var line = try leased(credits: "7")
        line.net.tick(seconds: 2)
        #expect(line.net.take(line.alice, at: "a") == "lease-warning c:1 low-credit\n")
        for _ in 0..<3 { line.net.tick(seconds: 2) }
        #expect(line.net.take(line.alice, at: "a") == "lease-end c:1 out-of-credit\n")
        #expect(line.net.events["c", default: []].contains(.leaseEnded(id: 1, reason: "out-of-credit")))
        #expect(line.net.credits("alice", at: "a", "lease c:1 ") == ["-2.000", "-2.000", "-2.000", "-2.000"])
        #expect(line.net.credits("store", at: "c", "lease 1 income") == ["2.000", "2.000", "2.000", "2.000"])
    }

    @Test func leasesOnOtherNodesAreListedWhereTheConsumerIs() throws {
        var line = try leased()
        line.net.send("(5)leases\n", from: line.alice, at: "a")
        let table = line.net.take(line.alice, at: "a")
        #expect(table.contains("c:1 "), "\(table)")
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("c:1 ") && $0.contains(" c:1 ") && $0.contains(" alice ") })
    }

    @Test func aLinkThatComesBackTakesItsLeasesBack() throws {
        var line = try leased(extra: ["leases.grace = 60"])
        line.net.tick(seconds: 2)
        line.net.cut("b", line.bc.0)
        line.net.tick(seconds: 4)
        let relinked = line.net.link("b", "c")
        for _ in 0..<4 { line.net.tick(seconds: 2) }
        // Taken back: it runs past the grace, charged once for every second.
        for _ in 0..<35 { line.net.tick(seconds: 2) }
        #expect(!line.net.events["c", default: []].contains { if case .leaseEnded = $0 { true } else { false } })
        let charged = line.net.credits("alice", at: "a", "lease c:1 ")
        let income = line.net.credits("store", at: "c", "lease 1 income")
        #expect(charged.map { String($0.dropFirst()) } == income)
        _ = relinked
    }
}

extension ReceiptRelayNetworkTests {
    /// An envelope from a to c as a seals it, to inject where b would pass it on.
    static func fromA(_ record: String, _ lines: [String], issued: Int64) -> [UInt8] {
        let envelope = ReceiptEnvelope(record: record, from: "a", to: "c", issued: issued, lines: lines)
            .signed(by: ToySigner(publicKey: ToyMAC.key(for: "a")))
        return Render.multilineCommand(id: 0, path: record.utf8,
                                       Multiline(headers: envelope.headers, body: lines.map { Array($0.utf8) }))
    }

    @Test func aWaitingLeaseTheConsumerNoLongerListsEndsAtOnceAndUnknownOnesAreGone() throws {
        var line = try leased(extra: ["leases.grace = 600"])
        line.net.tick(seconds: 2)
        // b — c drops: the lease waits for its consumer (the grace is ten minutes).
        line.net.cut("b", line.bc.0)
        let bc = line.net.link("b", "c")
        // Before a's own list arrives: a list without lease 1 but with a lease c never had.
        line.net.inject(Self.fromA("usage-receipts", ["held 99"], issued: line.net.now.wall), on: bc.1, at: "c")
        #expect(line.net.events["c", default: []].contains(.leaseEnded(id: 1, reason: "consumer-gone")))
        // a hears `gone 99` (it held no 99: nothing to tell) and `ended 1 … consumer-gone` for its user.
        #expect(line.net.take(line.alice, at: "a").hasSuffix("lease-end c:1 consumer-gone\n"))
        line.net.tick(seconds: 2)
        let charged = line.net.credits("alice", at: "a", "lease c:1 ")
        #expect(charged.map { String($0.dropFirst()) } == line.net.credits("store", at: "c", "lease 1 income"))
    }
}
