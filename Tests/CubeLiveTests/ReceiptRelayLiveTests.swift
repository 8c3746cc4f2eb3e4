import CubeAuth
import CubeClient
import CubeCore
import CubeRuntime
import CubeStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Usage receipts between nodes that are not neighbours, with three real cubes on a line
/// n1 — n2 — n3 (docs/market.md "Receipts across the network"): `unix-root` on n1 leases a
/// priced offer of n3 (1 credit a second), n1 and n3 settle end to end through n2, which is
/// neither charged nor credited; records altered, forged or replayed on the way are refused
/// and logged; a consumer running out is warned and its lease ends; a link cut and restored
/// gives its lease back (docs/market.md "A link that comes back").
@Suite(.serialized) struct ReceiptRelayLiveTests {
    static let edges: Set<RingNetwork.Edge> = [RingNetwork.Edge("n1", "n2"), RingNetwork.Edge("n2", "n3")]

    /// The line, started with stores and `market.charge-interval = 1`, the provider on n3 offering.
    static func line(extra: String = "") throws -> (RingNetwork, ReceiptsLiveTests.Provider) {
        let net = try RingNetwork(names: ["n1", "n2", "n3"], links: [("n1", "n2"), ("n2", "n3")])
        for name in net.names {
            try net.start(name, extra: "state.directory = \(net.directory.path)/\(name)-state\nmarket.charge-interval = 1\n" + extra)
        }
        _ = try net.waitForTopology(edges, timeout: 20)
        let provider = try ReceiptsLiveTests.Provider(socketPath: net.cube("n3").socketPath)
        return (net, provider)
    }

    /// Acquires `n3:1` from n1 as soon as n1 knows the offer. - Returns: the grant's words.
    static func acquire(_ net: RingNetwork, amount: Int = 3600) throws -> [String] {
        var granted: Reply?
        for _ in 0..<100 {
            granted = try net.client("n1").ask("acquire n3:1 \(amount) 600")
            if granted?.keyword == .trueReply { break }
            usleep(100_000)
        }
        return try #require(granted?.textString).split(separator: " ").map(String.init)
    }

    /// Polls n1's charges and n3's incomes for lease 1 until they list the same amounts.
    static func settled(_ net: RingNetwork) throws -> (charges: [String], incomes: [String]) {
        var charges: [String] = [], incomes: [String] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            charges = try ReceiptsLiveTests.entries(net.client("n1"), "lease n3:1 ").map { String($0.credits.dropFirst()) }
            incomes = try ReceiptsLiveTests.entries(net.client("n3"), "lease 1 income ").map(\.credits)
            if !charges.isEmpty, charges == incomes { break }
            usleep(5_000)
        } while Date() < deadline
        return (charges, incomes)
    }

    /// n1 paid for every whole second from `since` to `end` once (within the charge interval's
    /// slack), and both balances are exact to the credit: n1 started with 1,000,000 credits.
    static func expectChargedEverySecondOnce(_ net: RingNetwork, charges: [String], from since: Int64, to end: Int64,
                                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let total = charges.compactMap(Ledger.millicredits).reduce(0, +)
        #expect(total % 1000 == 0 && total / 1000 >= end - since - 3 && total / 1000 <= end - since + 1,
                "charged \(total) of \(end - since) s", sourceLocation: sourceLocation)
        #expect(try net.client("n1").ask("balance").textString == "\(Ledger.credits(1_000_000 - total)) credits",
                sourceLocation: sourceLocation)
        #expect(try net.client("n3").ask("balance").textString == "\(Ledger.credits(total)) credits",
                sourceLocation: sourceLocation)
    }

    /// Waits until `name`'s log holds every one of `lines`. - Returns: the log.
    static func waitForLog(_ net: RingNetwork, _ name: String, _ lines: [String]) -> String {
        var log = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            log += net.collectLog(name)
            if lines.allSatisfy({ log.contains($0) }) { break }
            usleep(50_000)
        }
        return log
    }

    @Test func endNodesSettleThroughTheNodeBetweenWhichRefusesNothingAndIsNeverCharged() throws {
        let (net, provider) = try Self.line()
        defer { net.shutdown() }
        defer { provider.stop() }
        #expect(try net.client("n1").askUntilTrue("grant unix-root 1000", timeout: 10) != nil)
        let started = Date()
        let words = try Self.acquire(net)
        print("receipt relay: acquire n3:1 through n2 granted in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        #expect(Array(words.prefix(9)) == ["lease", "1", "offer", "1", "amount", "3600", "ttl", "600", "price"] && words[10] == "since",
                "\(words)")
        let since = try #require(words.last.flatMap { Int64($0) })
        // n1 lists the lease it holds on n3, with the provider node.
        let table = try net.client("n1").ask("leases")
        let rows = String(decoding: table.body ?? [], as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains { Array($0.prefix(5)) == ["n3:1", "n3:1", "unix-root", "3600", "active"] }, "\(rows)")
        sleep(3)

        // n2 — here the test holding the trusted key `rogue`, a second neighbour of n3 — tampers.
        let link = try P7Connection(address: .tcp(host: "127.0.0.1", port: net.ports["n3"]!), timeout: .seconds(5))
        defer { link.close() }
        _ = try link.loginC25519(identity: net.rogue, expectedServer: PublicKey(base32: net.publicKeys["n3"]!))
        // A receipt n3 accepted (its store keeps them, countersigned), as n1 sent it.
        let stored = try SQLiteMarketStore(directory: "\(net.directory.path)/n3-state").load()
        let genuine = try #require(stored.receipts.first { !$0.payeeSignature.isEmpty }?.unacknowledged)
        let altered = genuine.text.replacingOccurrences(of: " \(genuine.amount) ", with: " \(genuine.amount * 10) ")
        let now = Int64(Date().timeIntervalSince1970)
        func envelope(_ lines: [String], signer: some AdvertSigner) -> String {
            let sealed = ReceiptEnvelope(record: "usage-receipts", from: "n1", to: "n3", issued: now, lines: lines).signed(by: signer)
            let headers = sealed.headers.map { "\(String(decoding: $0.key, as: UTF8.self)): \(String(decoding: $0.value, as: UTF8.self))\n" }
            return "usage-receipts+\n" + headers.joined() + "\n" + lines.map { $0 + "\n" }.joined() + ".\n"
        }
        let n1Signer = IdentityAdvertSigner(identity: try IdentityKey.read(from: "\(net.directory.path)/n1.key"))
        let captured = envelope([genuine.text], signer: n1Signer)
        // Altered; genuine but handed in by another node than its payer; an envelope claiming to
        // be n1's, signed by another key; a genuine envelope of n1's, twice.
        let later = stored.receipts.last { !$0.payeeSignature.isEmpty && $0.sequence != genuine.sequence }?.unacknowledged ?? genuine
        try link.sendRaw(Array(("usage-receipts+\n\n\(altered)\n\(later.text)\n.\n"
            + envelope([altered], signer: IdentityAdvertSigner(identity: net.rogue)) + captured + captured).utf8))
        let refusals = ["receipt-refused rogue refused 1 \(genuine.sequence) forged", "receipt-refused rogue refused 1 \(later.sequence) forged",
                        "receipt-refused rogue forged envelope from n1", "receipt-refused rogue replayed envelope from n1"]
        let log = Self.waitForLog(net, "n3", refusals)
        for line in refusals { #expect(log.contains(line), "missing '\(line)' in:\n\(log)") }
        print("receipt relay: n3 logged\n" + log.split(separator: "\n").filter { $0.contains("receipt-refused") }.map { "  " + $0 }.joined(separator: "\n"))

        // How long a charge takes to reach n3 as income: n1's entry seen, then n3's (2 hops,
        // n3's checks and its synchronous store write; each side polled in turn).
        var delays: [Double] = []
        var seenOnN1: (count: Int, at: Date)?
        let watch = Date()
        while delays.count < 3, Date().timeIntervalSince(watch) < 8 {
            let charged = try ReceiptsLiveTests.entries(net.client("n1"), "lease n3:1 ").count
            let credited = try ReceiptsLiveTests.entries(net.client("n3"), "lease 1 income ").count
            if let seen = seenOnN1, credited >= seen.count {
                delays.append(Date().timeIntervalSince(seen.at) * 1000)
                seenOnN1 = nil
            } else if seenOnN1 == nil, charged > credited {
                seenOnN1 = (charged, Date())
            }
            usleep(1_000)
        }
        print("receipt relay: a charge on n1 reached n3 as income in \(delays.map { Int($0) }) ms")
        let hearts = (0..<20).compactMap { _ -> Double? in
            let sent = Date()
            return (try? net.client("n1").ask("n3.heart"))?.keyword == .trueReply ? Date().timeIntervalSince(sent) * 1000 : nil
        }.sorted()
        let released = try net.client("n1").ask("n3.release 1")
        #expect(released.keyword == .trueReply, "\(released.rawText)")
        let releasedAt = Date()
        let end = Int64(Date().timeIntervalSince1970)
        let (charges, incomes) = try Self.settled(net)
        // n3's `ended` to n1 and n1's last receipt to n3, two hops each way, then polled (5 ms steps).
        let settledIn = Int(Date().timeIntervalSince(releasedAt) * 1000)
        print("receipt relay: \(charges.count) charges on n1, \(incomes.count) incomes on n3: \(charges); the last receipt settled "
            + "\(settledIn) ms after the release; n3.heart from n1 median \(hearts.isEmpty ? 0 : hearts[hearts.count / 2]) ms")
        #expect(!charges.isEmpty && charges == incomes, "n1: \(charges) n3: \(incomes)")
        try Self.expectChargedEverySecondOnce(net, charges: charges, from: since, to: end)
        // n2 is untouched: no ledger entry on n2, and no account of n2 on n3.
        #expect(try SQLiteMarketStore(directory: "\(net.directory.path)/n2-state").load().entries.isEmpty)
        #expect(try SQLiteMarketStore(directory: "\(net.directory.path)/n3-state").load().entries.allSatisfy { $0.user != "n2" })
        #expect(!net.collectLog("n2").contains("receipt-refused"))
    }

    @Test func aConsumerOnAnotherNodeIsWarnedThenItsLeaseEnds() throws {
        let (net, provider) = try Self.line()
        defer { net.shutdown() }
        defer { provider.stop() }
        // 4 credits at 1 credit a second: warned at the first charge, ended within about 4 s.
        #expect(try net.client("n1").askUntilTrue("grant unix-root 4", timeout: 10) != nil)
        let consumer = try P7Connection(unixPath: net.cube("n1").socketPath, timeout: .seconds(5))
        defer { consumer.close() }
        try consumer.loginUnix(user: "unix-root")
        consumer.timeout = .milliseconds(200)
        // A timeout (nothing yet) and a failure alike give nil: the deadlines end the waits.
        func nextLine() -> String? { (try? consumer.readLine()).map { String(decoding: $0, as: UTF8.self) } }
        var heard: [String] = []
        // Asked again until n1 knows the offer (n3's advert), as a user would.
        for id in 1...50 where !heard.contains(where: { $0.hasPrefix("(") && $0.contains(")TRUE ") }) {
            try consumer.sendRaw(Array("(\(id))acquire n3:1 3600 600\n".utf8))
            let asked = Date()
            while Date().timeIntervalSince(asked) < 5, let line = nextLine() {
                heard.append(line)
                if line.hasPrefix("(\(id))") { break }
            }
            usleep(100_000)
        }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, !heard.contains(where: { $0.hasPrefix("lease-end n3:1 ") }) {
            if let line = nextLine() { heard.append(line) }
        }
        print("receipt relay: the consumer heard \(heard)")
        #expect(heard.contains { $0.contains(")TRUE lease 1 offer 1 amount 3600") }, "\(heard)")
        #expect(heard.contains("lease-warning n3:1 low-credit"), "\(heard)")
        #expect(heard.contains("lease-end n3:1 out-of-credit"), "\(heard)")
        let leases = String(decoding: try net.client("n3").ask("leases").body ?? [], as: UTF8.self)
        #expect(!leases.split(separator: "\n").contains { $0.hasPrefix("1 ") }, "\(leases)")
    }

    @Test func aLinkCutAndRestoredGivesItsLeaseBackAndChargesEverySecondOnce() throws {
        // A grace of 4 s: without reconciliation the lease would end 4 s after the cut.
        let (net, provider) = try Self.line(extra: "leases.grace = 4")
        defer { net.shutdown() }
        defer { provider.stop() }
        #expect(try net.client("n1").askUntilTrue("grant unix-root 1000", timeout: 10) != nil)
        let words = try Self.acquire(net)
        let since = try #require(words.last.flatMap { Int64($0) })
        sleep(1)
        #expect(try net.client("n2").ask("unlink n3").keyword == .trueReply)
        usleep(1_500_000)
        let cutAt = Date()
        #expect(try net.client("n2").ask("link \(net.address("n3"))").keyword == .trueReply)
        _ = try net.waitForTopology(Self.edges, timeout: 20)
        let back = Date().timeIntervalSince(cutAt)
        // Well past the grace after the cut, the lease is still held, for n1's user.
        usleep(UInt32(max(0, 6 - back) * 1_000_000))
        let held = String(decoding: try net.client("n3").ask("leases").body ?? [], as: UTF8.self)
        #expect(held.split(separator: "\n").contains { $0.hasPrefix("1 ") && $0.contains("active") }, "\(held)")
        #expect(!net.collectLog("n3").contains("lease 1 ended"))
        let released = try net.client("n1").ask("n3.release 1")
        #expect(released.keyword == .trueReply, "\(released.rawText)")
        let end = Int64(Date().timeIntervalSince1970)
        let (charges, incomes) = try Self.settled(net)
        print("receipt relay: link back after \(Int(back * 1000)) ms; \(charges.count) charges, \(incomes.count) incomes")
        #expect(!charges.isEmpty && charges == incomes, "n1: \(charges) n3: \(incomes)")
        let total = charges.compactMap(Ledger.millicredits).reduce(0, +)
        #expect(total / 1000 >= end - since - 3 && total / 1000 <= end - since + 1, "charged \(total) of \(end - since) s")
    }

    @Test func killNineOfEitherEndNodeWhileChargingLosesAndRepeatsNothing() throws {
        let (net, provider) = try Self.line()
        defer { net.shutdown() }
        defer { provider.stop() }
        #expect(try net.client("n1").askUntilTrue("grant unix-root 1000", timeout: 10) != nil)
        let since = try #require(try Self.acquire(net).last.flatMap { Int64($0) })
        var generator = SystemRandomNumberGenerator()
        for name in ["n1", "n3"] {
            let running = UInt32.random(in: 1_500_000...3_000_000, using: &generator)
            let down = UInt32.random(in: 300_000...1_500_000, using: &generator)
            print("receipt relay: \(name) killed after \(running / 1000) ms of charging, down \(down / 1000) ms")
            usleep(running)
            net.kill(name)
            usleep(down)
            try net.start(name, extra: "state.directory = \(net.directory.path)/\(name)-state\nmarket.charge-interval = 1\n")
            _ = try net.waitForTopology(Self.edges, timeout: 20)
        }
        sleep(2)
        // n3's stored lease waits for its consumer after n3's restart; n1's `held` list took it back.
        let released = try net.client("n1").ask("n3.release 1")
        #expect(released.keyword == .trueReply, "\(released.rawText)")
        let end = Int64(Date().timeIntervalSince1970)
        let (charges, incomes) = try Self.settled(net)
        print("receipt relay: after kill -9 of n1 and n3, \(charges.count) charges on n1, \(incomes.count) incomes on n3")
        #expect(!charges.isEmpty && charges == incomes, "n1: \(charges) n3: \(incomes)")
        try Self.expectChargedEverySecondOnce(net, charges: charges, from: since, to: end)
        #expect(try SQLiteMarketStore(directory: "\(net.directory.path)/n2-state").load().entries.isEmpty)
    }

    /// What one receipt costs in signatures across the network, with real Ed25519 keys: the
    /// payer signs the receipt and its envelope, the payee checks both and countersigns in an
    /// envelope of its own, the payer checks that envelope and both signatures. Prints the
    /// figure (docs/market.md "Receipts across the network"); the bound is only generous.
    @Test func theSignaturesOfOneReceiptAcrossTheNetworkCostLittle() throws {
        let payer = IdentityAdvertSigner(identity: IdentityKey.generate()), payee = IdentityAdvertSigner(identity: IdentityKey.generate())
        let verifier = Ed25519AdvertVerifier()
        var samples: [Double] = []
        for round in 0..<200 {
            let started = Date()
            let receipt = UsageReceipt(payer: "n1", payee: "n3", lease: 1, sequence: UInt64(round + 1), from: 1_795_000_000,
                                       to: 1_795_000_060, amount: 60_000, payerKey: payer.publicKey, payeeKey: payee.publicKey)
                .signed(by: payer)
            let sent = ReceiptEnvelope(record: "usage-receipts", from: "n1", to: "n3", issued: 1_795_000_060, lines: [receipt.text])
                .signed(by: payer)
            var relay = ReceiptRelayGuard()
            let admitted = relay.admit(sent, now: 1_795_000_060, senderKey: payer.publicKey, verifier: verifier) == nil
            let ack = receipt.payerSigned(verifier) ? receipt.countersigned(by: payee) : receipt
            let back = ReceiptEnvelope(record: "usage-acks", from: "n3", to: "n1", issued: 1_795_000_060, lines: [ack.text]).signed(by: payee)
            let settled = back.isSigned(by: payee.publicKey, verifier) && ack.bothSigned(verifier)
            samples.append(Date().timeIntervalSince(started) * 1000)
            #expect(admitted && settled)
        }
        samples.sort()
        print("receipt relay: signatures of one receipt across the network (3 signs, 5 checks): min \(samples[0]) ms, "
            + "median \(samples[100]) ms, p99 \(samples[197]) ms")
        #expect(samples[100] < 100)
    }
}
