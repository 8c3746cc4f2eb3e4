// The market's own costs, without sockets (docs/market.md "Measurements"): what one charge
// costs the ledger on disk, and what matchmaking over many offers costs the router.
// `Benchmarks/market.py` runs it after the network measurement; alone:
//
//   cube-market-bench [DIRECTORY] [CHARGES] [OFFERS]
//
// DIRECTORY holds the throw-away store (default ./.build/market-bench: the disk a state
// directory would be on, not a tmpfs, so fsync costs what it costs there).
import CubeCore
import CubeStore

#if canImport(Glibc)
import Glibc
#endif

func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// `min/median/p99/max` of nanosecond samples, in microseconds.
func summary(_ samples: [UInt64]) -> String {
    let sorted = samples.sorted()
    guard let first = sorted.first, let last = sorted.last else { return "no samples" }
    func micro(_ value: UInt64) -> String {
        let tenths = (value + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
    let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    return "min \(micro(first)) / median \(micro(sorted[sorted.count / 2])) / p99 \(micro(p99)) / max \(micro(last)) µs"
}

let arguments = CommandLine.arguments
/// The store's directory, absolute (the store creates it).
let directory: String = {
    let given = arguments.count > 1 ? arguments[1] : ".build/market-bench"
    if given.hasPrefix("/") { return given }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    guard getcwd(&buffer, buffer.count) != nil else { return "/tmp/" + given }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + given
}()
let charges = arguments.count > 2 ? Int(arguments[2]) ?? 500 : 500
let offerCount = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000

// MARK: - Ledger write cost per charge

/// A market with a store attached and `leases` priced leases, as a restarted cube has it.
func chargedMarket(leases: Int, store: SQLiteMarketStore) -> Market {
    var market = Market.restored(MarketSnapshot(), now: Timestamp(monotonic: 0, wall: 1_764_000_000), grace: 60_000_000_000)
    _ = market.add(kind: "compute", capacity: 1_000_000, attributes: ["price=1.8"], requirement: nil, provider: 1,
                   providerUser: "provider", created: 1_764_000_000)
    _ = market.grant(credits: 1_000_000_000, to: "consumer", by: "bench", wall: 1_764_000_000)
    for _ in 0..<leases {
        guard case .success(let lease) = market.request(offer: 1, amount: 10, ttl: 86_400, consumer: 2, consumerUser: "consumer",
                                                        consumerNode: "bench", providerPresent: true, now: 0) else { continue }
        _ = market.grant(lease.id, now: 0, wall: 1_764_000_000)
    }
    store.save(market.takeChanges(now: Timestamp(monotonic: 0, wall: 1_764_000_000)))
    return market
}

/// Charges `leases` leases `rounds` times (each tick one transaction, as the hub writes it);
/// returns the nanoseconds of each save and of each charge in memory.
func measureCharges(leases: Int, rounds: Int) throws -> (save: [UInt64], memory: [UInt64]) {
    let path = "\(directory)/ledger-\(leases)"
    _ = unlink(path + "/" + SQLiteMarketStore.fileName)
    _ = unlink(path + "/" + SQLiteMarketStore.fileName + "-wal")
    _ = unlink(path + "/" + SQLiteMarketStore.fileName + "-shm")
    let store = try SQLiteMarketStore(directory: path) { failure in print("store write failed: \(failure)") }
    var market = chargedMarket(leases: leases, store: store)
    var saves: [UInt64] = []
    var memory: [UInt64] = []
    for round in 1...rounds {
        let now = Timestamp(monotonic: UInt64(round) * 60_000_000_000, wall: 1_764_000_000 + Int64(round) * 60)
        let started = monotonicNanoseconds()
        _ = market.charge(now: now)
        let changes = market.takeChanges(now: now)
        let charged = monotonicNanoseconds()
        store.save(changes)
        let saved = monotonicNanoseconds()
        memory.append(charged - started)
        saves.append(saved - charged)
    }
    return (saves, memory)
}

print("ledger write cost per charge (SQLite WAL, synchronous=FULL, under \(directory)):")
let single = try measureCharges(leases: 1, rounds: charges)
print("  1 lease charged per tick, one transaction each (2 entries + the lease): \(summary(single.save)) "
    + "[\(charges) charges; in memory \(summary(single.memory))]")
let batch = try measureCharges(leases: 100, rounds: max(10, charges / 20))
print("  100 leases charged in one tick, one transaction: \(summary(batch.save)) per tick, "
    + "\(summary(batch.save.map { $0 / 100 })) per charge [\(batch.save.count) ticks]")

// MARK: - Matchmaking over many offers

var random = SplitMix64(seed: 16)
let regions = ["eu", "us", "ap"]
let candidates = (0..<offerCount).map { index -> MarketCandidate in
    let price = Int(random.next() % 10_000) + 100
    let attributes = ["price=\(price / 1000).\(String(repeating: "0", count: 3 - String(price % 1000).count))\(price % 1000)",
                      "cores=\(1 << Int(random.next() % 6))", "region=\(regions[Int(random.next() % 3)])",
                      "mem=\(1 << Int(random.next() % 7))GiB"]
    return MarketCandidate(node: "n\(index % 5 + 1)", offer: UInt64(index / 5 + 1), kind: "compute", capacity: 1000, available: 1000,
                           attributes: attributes, distance: UInt64(index % 5 == 0 ? 0 : 1 + index % 2), provider: "n\(index % 5 + 1)")
}
let queries: [(label: String, requirement: String?, rank: String?)] = [
    ("where cores >= 8 and region == 'eu' rank -price", "cores >= 8 and region == 'eu'", "-price"),
    ("rank cores / price", nil, "cores / price"),
    ("where mem >= 16GiB and price < 5 (rank: cheapest)", "mem >= 16GiB and price < 5", nil),
]
print("matchmaking over \(offerCount) offers (the router's CPU, no network):")
for (label, requirement, rank) in queries {
    guard case .success(let parsedRank) = ExpressionParser.parse(rank ?? "-price") else { continue }
    let parsedRequirement = requirement.flatMap { try? ExpressionParser.parse($0).get() }
    var samples: [UInt64] = []
    var picked = ""
    for _ in 0..<200 {
        let started = monotonicNanoseconds()
        let best = Matchmaker.best(candidates, kind: "compute", amount: 1, requirement: parsedRequirement,
                                   rank: rank == nil ? nil : parsedRank)
        samples.append(monotonicNanoseconds() - started)
        picked = best.map { "\($0.node):\($0.offer)" } ?? "none"
    }
    print("  \(label): \(summary(samples)) (picks \(picked))")
}
