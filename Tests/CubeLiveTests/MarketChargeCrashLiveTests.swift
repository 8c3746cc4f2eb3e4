import CubeCore
import CubeStore
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Crash recovery while a lease is charged (docs/market.md "Prices and credits", "Storage";
/// issue 16 "Done when"): a real cube with a store charges a priced lease every second
/// (`market.charge-interval = 1`) and is killed with SIGKILL at seeded random moments. After
/// each kill the store on disk, and after each restart the cube itself, must account for
/// every credit exactly once: each balance is the sum of its account's entries, credits are
/// conserved, the charges cover the lease's time without gap or overlap up to its "charged
/// until", each charge is what the price says, nothing a client was told is lost, and no
/// earlier entry is changed or repeated.
@Suite(.serialized) struct MarketChargeCrashLiveTests {
    /// The seed of the kill delays; the test prints it, so a failing sequence can be rerun.
    static let seed: UInt64 = 0x7_16_2026
    static let kills = 20
    /// 1.8 credits per unit-hour × 10 units: 5 millicredits a second.
    static let price: Int64 = 1800
    static let amount: Int64 = 10
    static let granted: Int64 = 1_000_000

    @Test func killNineWhileChargingNeitherLosesNorRepeatsACredit() throws {
        let state = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("market-charge-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let extra = """
            state.directory = \(state.path)
            market.charge-interval = 1
            leases.grace = 600
            """
        let first = try CubeProcess(extraConfiguration: extra)
        let socket = first.socketPath
        var cube = first
        var provider = try MarketProvider(socketPath: socket, user: "taeki", offer: "compute 3600 price=1.8")
        var client = try RingClient(socketPath: socket)
        #expect(try client.ask("grant unix-root 1000").textString == "granted 1000.000 credits to unix-root [ balance 1000.000 ]")
        let lease = try client.ask("acquire \(provider.offerID) \(Self.amount) 3600").textString
        #expect(lease == "lease 1 offer \(provider.offerID) amount \(Self.amount) ttl 3600")
        let started = Date()

        var random = SplitMix64(seed: Self.seed)  // CubeCore's: the kill moments repeat from run to run
        var previous: [LedgerEntry] = []
        var charges = 0
        var answers = 0
        for round in 1...Self.kills {
            // Watch the balance until a random moment, then kill -9 mid-charging.
            let delay = 0.2 + Double(random.next() % 2800) / 1000
            var told: [String] = []
            let until = Date().addingTimeInterval(delay)
            while Date() < until {
                if let reply = try? client.ask("balance", timeout: 2), reply.keyword == .trueReply { told.append(reply.textString) }
                usleep(50_000)
            }
            kill(cube.process.processIdentifier, SIGKILL)
            cube.process.waitUntilExit()
            provider.stop()

            let snapshot = try SQLiteMarketStore(directory: state.path).load()
            charges = try Self.check(snapshot, since: previous, told: told, round: round)
            answers += told.count
            previous = snapshot.entries

            cube = try CubeProcess(extraConfiguration: extra, socketPath: socket)
            client = try RingClient(socketPath: socket)
            // The provider comes back and gets its offer again (docs/market.md "Storage").
            provider = try MarketProvider(socketPath: socket, user: "taeki", offer: "compute 3600 price=1.8")
            #expect(provider.offerID == 1)
            // The restarted cube says what the store says, to the millicredit.
            let balance = try client.ask("balance").textString
            let stored = snapshot.balances["unix-root"] ?? 0
            let shown = Ledger.millicredits(String(balance.split(separator: " ")[0])) ?? -1
            // A charge may have run between the restart and the question: never more than one.
            #expect(shown <= stored && stored - shown <= Self.price * Self.amount * 30 / 3600 + 1, "round \(round): \(balance) vs \(stored)")
        }
        // The lease is still held, with the time it had left.
        let leases = RingClientTables.rows(try client.ask("leases"))
        #expect(leases.map { Array($0.prefix(5)) } == [["1", "1", "unix-root", "\(Self.amount)", "active"]], "\(leases)")
        kill(cube.process.processIdentifier, SIGKILL)
        cube.process.waitUntilExit()
        provider.stop()
        let last = try SQLiteMarketStore(directory: state.path).load()
        charges = try Self.check(last, since: previous, told: [], round: Self.kills + 1)
        let left = (last.leases.first?.expiresWall ?? 0) - Int64(Date().timeIntervalSince1970)
        #expect(abs(left - (3600 - Int64(Date().timeIntervalSince(started)))) <= 30, "\(left) s left")
        print("market charge crash: seed \(Self.seed), \(Self.kills) kills with SIGKILL, \(charges) charges (x2 entries) checked after each, "
            + "\(answers) balances told before a kill all found on disk, \(Int(Date().timeIntervalSince(started))) s of lease "
            + "charged exactly once")
        _ = first
    }

    /// Checks one store as found after a kill; returns how many charges it holds.
    static func check(_ snapshot: MarketSnapshot, since previous: [LedgerEntry], told: [String], round: Int) throws -> Int {
        let entries = snapshot.entries
        // Nothing earlier was lost or changed: the last store's entries come first, unchanged.
        #expect(Array(entries.prefix(previous.count)) == previous, "round \(round): earlier entries changed")
        // Each balance is its account's entries added up, and each entry's balance the running sum.
        var running: [String: Int64] = [:]
        for entry in entries {
            running[entry.user, default: 0] += entry.delta
            #expect(entry.balance == running[entry.user], "round \(round): \(entry)")
        }
        #expect(snapshot.balances == running, "round \(round): \(snapshot.balances) vs \(running)")
        // Credits are conserved: what was granted, and not a millicredit more or less.
        #expect(snapshot.balances.values.reduce(0, +) == granted, "round \(round)")
        // The charges tile the lease's time: each starts where the last ended, the last ends at
        // "charged until", and each costs what the price says (docs/market.md).
        let lease = try #require(snapshot.leases.first { $0.id == 1 }, "round \(round): lease 1 lost")
        let paid = entries.filter { $0.user == "unix-root" && $0.lease == 1 }
        let income = entries.filter { $0.user == "taeki" && $0.lease == 1 }
        #expect(paid.count == income.count && zip(paid, income).allSatisfy { $0.delta == -$1.delta && $0.wall == $1.wall })
        var end: Int64?
        for entry in paid {
            let seconds = try #require(Int64(entry.note.split(separator: " ")[2]), "\(entry.note)")
            #expect(entry.note == "lease 1 \(seconds) s")
            let start = entry.wall - seconds
            if let end { #expect(start == end, "round \(round): a gap or an overlap at \(entry)") }
            let cost = price * amount * entry.wall / 3600 - price * amount * start / 3600
            #expect(entry.delta == -cost, "round \(round): \(entry) should cost \(cost)")
            end = entry.wall
        }
        if let end { #expect(end == lease.chargedUntil, "round \(round): charged until \(lease.chargedUntil), entries to \(end)") }
        // Every balance a client was told is in the store (replies go out after the write).
        let balances = Set(entries.filter { $0.user == "unix-root" }.map { Ledger.credits($0.balance) + " credits" })
        #expect(told.allSatisfy(balances.contains), "round \(round): told \(told), stored \(balances.sorted())")
        return paid.count
    }
}

/// The rows of a `SIZE` table reply, split on blanks.
enum RingClientTables {
    static func rows(_ reply: Reply) -> [[String]] {
        String(decoding: reply.body ?? [], as: UTF8.self).split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
    }
}
