// A thousand nodes, simulated: the pure link-state core (`Topology`) of every node in one
// process, adverts flooding round by round, no sockets (docs/network.md "Scaling").
//
// `make network-sim` runs it. For each shape and size it builds a converged network, then
// measures: the refresh traffic of steady state, a link that is lost, links that flap
// (churn), and a node that is lost; after each event it checks forwarded paths between
// random pairs against breadth-first shortest paths over the live links.
//
//   cube-network-sim [SIZES] [SHAPES] [LINK-LATENCY-MS] [FULL-LIMIT]
//                                                 e.g. 100,1000,5000 mesh,regions 1 2000
// Sizes above FULL-LIMIT (2,000) get an estimate row from one node's database and the
// flooding rule; pass a larger limit to check an estimate against the full simulation.
import CubeAuth
import CubeCore

#if canImport(Glibc)
import Glibc
#endif

/// The advert refresh interval of the default configuration (`network.advert-interval`).
let advertIntervalSeconds = 60.0
/// Churn: this share of all links goes down and comes back up every minute.
let flapsPerLinkPerMinute = 0.01
let arguments = CommandLine.arguments
let sizes = (arguments.count > 1 ? arguments[1] : "100,1000").split(separator: ",").compactMap { Int($0) }
let shapes = (arguments.count > 2 ? arguments[2] : "mesh,regions").split(separator: ",").compactMap { Shape(rawValue: String($0)) }
let latency = arguments.count > 3 ? Double(arguments[3]) ?? 1 : 1
/// Larger networks get the estimate of ``estimate(shape:size:)``: one process holding every
/// node's full database would need gigabytes (the database row of the table, times N).
let fullSimulationLimit = arguments.count > 4 ? Int(arguments[4]) ?? 2000 : 2000

func wallSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The real cost of checking one advert's Ed25519 signature on this machine (median of 5 × 400).
func measureVerifyNanoseconds() -> UInt64 {
    let identity = IdentityKey.generate()
    let signer = IdentitySigner(identity: identity)
    let advert = LinkStateAdvert(origin: "n1", key: signer.publicKey, sequence: 1,
                                 neighbours: [AdvertNeighbour("n2"), AdvertNeighbour("n3")],
                                 zenki: Simulation.zenki, issued: 1_767_225_600).signed(by: signer)
    guard let key = PublicKey(base32: advert.key) else { return 0 }
    var samples: [UInt64] = []
    for _ in 0..<5 {
        let start = threadNanoseconds()
        for _ in 0..<400 where !key.verify(advert.signature, of: advert.signedBytes) { print("signature check failed") }
        samples.append((threadNanoseconds() - start) / 400)
    }
    return samples.sorted()[2]
}

/// Resident memory of this process, bytes (`/proc/self/statm`).
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
    let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// Databases built by ``databaseBytes(shape:size:)``, never freed: every measurement then
/// grows the resident set by what it allocates, none reuses memory an earlier one freed.
nonisolated(unsafe) var keptDatabases: [Topology] = []

/// Memory taken by one node's database of the whole network, built from the adverts' text as
/// a node that parsed them off its links would hold it: the growth of the resident set while
/// several such databases are built, divided by their number. Measured before any simulation
/// runs (whose freed memory would be reused and hide the growth).
func databaseBytes(shape: Shape, size: Int) -> Int {
    var random = SplitMix64(seed: 42)
    var neighbours = [[AdvertNeighbour]](repeating: [], count: size)
    for (a, b) in shape.links(count: size, random: &random) {
        neighbours[a].append(AdvertNeighbour("n\(b + 1)"))
        neighbours[b].append(AdvertNeighbour("n\(a + 1)"))
    }
    // One key for all: the same sizes as real ones (52 base32 characters, 64-byte signature).
    let signer = IdentitySigner(identity: IdentityKey.generate())
    let texts = (0..<size).map {
        LinkStateAdvert(origin: "n\($0 + 1)", key: signer.publicKey, sequence: 1, neighbours: neighbours[$0],
                        zenki: Simulation.zenki, issued: 1_767_225_600).signed(by: signer).render()
    }
    let node = size / 2
    let copies = max(4, 40_000 / size)
    let before = residentBytes()
    for _ in 0..<copies {
        var topology = Topology(localNode: "n\(node + 1)", localKey: signer.publicKey, verifier: ChargedVerifier())
        for neighbour in neighbours[node] { topology.linkUp(neighbour.name) }
        let adverts = texts.compactMap { LinkStateAdvert(parsing: $0) }
        _ = topology.accept(adverts, from: neighbours[node].first?.name ?? "", now: 1_767_225_600)
        keptDatabases.append(topology)
    }
    return (residentBytes() - before) / copies
}

/// The figures of a network too large to hold every node's database, from one database and
/// the flooding rule the full simulation follows: a flood of an advert from `a` takes its
/// eccentricity + 1 rounds (the last round carries the copies that are dropped), and every
/// node receives `2·links − N + 1` copies of each node's advert per interval, spread over N.
func estimate(shape: Shape, size: Int) -> [String] {
    var random = SplitMix64(seed: 42)
    var adjacency = [Set<Int>](repeating: [], count: size)
    for (a, b) in shape.links(count: size, random: &random) {
        adjacency[a].insert(b)
        adjacency[b].insert(a)
    }
    let links = adjacency.reduce(0) { $0 + $1.count } / 2
    let signer = IdentitySigner(identity: IdentityKey.generate())
    let now: Int64 = 1_767_225_600
    func advert(_ node: Int, _ sequence: UInt64, without: Int? = nil) -> LinkStateAdvert {
        LinkStateAdvert(origin: "n\(node + 1)", key: signer.publicKey, sequence: sequence,
                        neighbours: adjacency[node].filter { $0 != without }.map { AdvertNeighbour("n\($0 + 1)") },
                        zenki: Simulation.zenki, issued: now).signed(by: signer)
    }
    let adverts = (0..<size).map { advert($0, 1) }
    let bytes = adverts.reduce(0) { $0 + $1.render().count + Simulation.commandOverhead } / size
    // One node's database, then changed adverts (a link gone) of 20 nodes: one recomputation each.
    let local = size / 2
    var topology = Topology(localNode: "n\(local + 1)", localKey: "local", verifier: ChargedVerifier())
    for neighbour in adjacency[local] { topology.linkUp("n\(neighbour + 1)") }
    _ = topology.accept(adverts.filter { $0.origin != "n\(local + 1)" }, from: "n\((adjacency[local].min() ?? 0) + 1)", now: now)
    var cpu: UInt64 = 0
    var changes = 0
    for node in stride(from: 0, to: size, by: max(1, size / 20)) where node != local {
        guard let gone = adjacency[node].first else { continue }
        let changed = advert(node, 2, without: gone)
        let start = threadNanoseconds()
        _ = topology.accept(changed, from: "n\((adjacency[local].min() ?? 0) + 1)", now: now)
        cpu += threadNanoseconds() &- start
        changes += 1
    }
    let (a, b) = shape == .regions ? (0, min(25, size - 1)) : (0, 1)
    var cut = adjacency
    cut[a].remove(b)
    cut[b].remove(a)
    let linkRounds = max(hops(from: a, cut).max() ?? 0, hops(from: b, cut).max() ?? 0) + 1
    var dead = adjacency
    for neighbour in dead[0] { dead[neighbour].remove(0) }
    dead[0] = []
    let nodeRounds = (adjacency[0].map { hops(from: $0, dead).max() ?? 0 }.max() ?? 0) + 1
    let steady = Double((2 * links - size + 1) * bytes) * (60 / advertIntervalSeconds)
    return [shape.rawValue + " (estimate)", String(size), String(links), "\(linkRounds) / -", "\(nodeRounds) / -",
            kib(steady), "-", "-", fixed(Double(cpu) / Double(max(changes, 1)) / 1000, 0), "-", "-"]
}

/// `value` with `digits` decimals (no Foundation here).
func fixed(_ value: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    guard digits > 0 else { return String(scaled) }
    let fraction = String(abs(scaled) % Int(scale))
    return (scaled < 0 ? "-" : "") + String(abs(scaled) / Int(scale)) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

func kib(_ bytes: Double) -> String { bytes >= 10 * 1024 ? String(Int(bytes / 1024)) : fixed(bytes / 1024) }

var databases: [String: Int] = [:]
for shape in shapes {
    for size in sizes { databases["\(shape.rawValue) \(size)"] = databaseBytes(shape: shape, size: size) }
}
let verifyNanoseconds = measureVerifyNanoseconds()
print("Ed25519 check of one advert: \(verifyNanoseconds) ns (charged per accepted advert); link latency \(latency) ms per round")
print("| shape | nodes | links | link loss: rounds / ms | node loss: rounds / ms | steady KiB/node/min | churn KiB/node/min | database KiB/node | CPU µs per new advert | wrong routes | sim s |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for shape in shapes {
    for size in sizes {
        let started = wallSeconds()
        if size > fullSimulationLimit {
            var cells = estimate(shape: shape, size: size)
            cells[7] = kib(Double(databases["\(shape.rawValue) \(size)"] ?? 0))
            cells[10] = fixed(wallSeconds() - started, 0)
            print("| " + cells.joined(separator: " | ") + " |")
            fflush(nil)
            continue
        }
        var random = SplitMix64(seed: UInt64(size))
        var simulation = Simulation(shape: shape, count: size, seed: 42, verifyNanoseconds: verifyNanoseconds,
                                    linkLatencyMilliseconds: latency)
        let links = simulation.linkCount
        let database = databases["\(shape.rawValue) \(size)"] ?? 0

        // Steady state: every node re-advertises once per interval; a sample of floods, scaled.
        let origins = (0..<min(size, 40)).map { _ in Int.random(in: 0..<size, using: &random) }
        var refresh = FloodResult()
        for origin in origins { refresh.add(simulation.advertise([origin])) }
        // Each of the N nodes floods once per interval, and each flood's bytes are spread over
        // N receivers: per node and interval, the bytes of one flood.
        let steady = Double(refresh.bytes) / Double(origins.count) * (60 / advertIntervalSeconds)

        // A link on many paths: between two hubs (regions) or in the ring (mesh).
        let (a, b) = shape == .regions ? (0, min(25, size - 1)) : (0, 1)
        let linkLoss = simulation.cut(a, b)
        var wrong = simulation.wrongRoutes(samples: 300, random: &random)
        var flap = simulation.join(a, b)
        flap.add(linkLoss)
        // More flaps of random links for the churn figure.
        var flaps = 1
        for _ in 0..<3 {
            let x = Int.random(in: 0..<size, using: &random)
            guard let y = simulation.adjacency[x].randomElement(using: &random) else { continue }
            flap.add(simulation.cut(x, y))
            flap.add(simulation.join(x, y))
            flaps += 1
        }
        wrong += simulation.wrongRoutes(samples: 300, random: &random)
        let churn = steady + Double(flap.bytes) / Double(flaps) * Double(links) * flapsPerLinkPerMinute / Double(size)

        // n1: a hub with 27 links in regions, an ordinary node in the mesh.
        let nodeLoss = simulation.kill(0)
        wrong += simulation.wrongRoutes(samples: 300, random: &random)

        let changing = [linkLoss, nodeLoss]
        let changed = changing.reduce(0) { $0 + $1.accepted }
        let cpu = changing.reduce(UInt64(0)) { $0 + $1.cpuNanoseconds } - UInt64(changed) * verifyNanoseconds
        let cells = [
            shape.rawValue, String(size), String(links),
            "\(linkLoss.rounds) / \(fixed(linkLoss.simulatedMilliseconds))",
            "\(nodeLoss.rounds) / \(fixed(nodeLoss.simulatedMilliseconds))",
            kib(steady), kib(churn), kib(Double(database)),
            fixed(Double(cpu) / Double(max(changed, 1)) / 1000, 0),
            "\(wrong)/900", fixed(wallSeconds() - started, 0),
        ]
        print("| " + cells.joined(separator: " | ") + " |")
        fflush(nil)
    }
}
