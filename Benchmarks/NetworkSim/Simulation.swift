import CubeAuth
import CubeCore

#if canImport(Glibc)
import Glibc
#endif

/// Signs with a real Ed25519 identity key, so adverts have their real size.
struct IdentitySigner: AdvertSigner {
    let identity: IdentityKey
    var publicKey: String { identity.publicKey.description }
    func sign(_ bytes: [UInt8]) -> [UInt8] { identity.sign(bytes) }
}

/// Accepts any non-empty signature: checking millions of real ones would take the simulation
/// hours. The simulated time charges the measured cost of one real Ed25519 check instead, for
/// every advert a node accepts (stale copies are dropped before their signature is checked).
struct ChargedVerifier: AdvertVerifier {
    func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool { !signature.isEmpty }
}

/// What one flood (or several started together) cost, delivered round by round.
struct FloodResult {
    /// Rounds until nothing was in flight: one round = every in-flight advert crosses its link.
    var rounds = 0
    /// Rounds × link latency + the busiest node's processing in each round.
    var simulatedMilliseconds = 0.0
    /// Adverts delivered, and their bytes on the wire (the `advert` command, before encryption).
    var messages = 0
    var bytes = 0
    /// Processing summed over all nodes (accepting, recomputing, the charged signature checks).
    var cpuNanoseconds: UInt64 = 0
    /// Adverts that changed a node's database, and the processing they took.
    var accepted = 0

    mutating func add(_ other: FloodResult) {
        rounds += other.rounds
        simulatedMilliseconds += other.simulatedMilliseconds
        messages += other.messages
        bytes += other.bytes
        cpuNanoseconds += other.cpuNanoseconds
        accepted += other.accepted
    }
}

/// A network of pure ``Topology`` databases (no sockets, no routers' sessions): adverts travel
/// as values, one round per link crossing, and every node runs the real acceptance, flooding
/// and route computation of CubeCore.
struct Simulation {
    static let zenki = ["calc", "files", "metrics", "store"]
    /// The `advert` command around an advert's text: `advert+⏎`, the empty header line and `.⏎`.
    static let commandOverhead = Render.multilineCommand(id: 0, path: "advert".utf8, Multiline(headers: [], body: [])).count

    let names: [String]
    let index: [String: Int]
    var topologies: [Topology]
    var adjacency: [Set<Int>]
    var alive: [Bool]
    private var sequences: [UInt64]
    private let signers: [IdentitySigner]
    let now: Int64 = 1_767_225_600
    let verifyNanoseconds: UInt64
    let linkLatencyMilliseconds: Double

    /// Builds the network with every node's database already complete (each node receives
    /// every other node's advert in one batch, ``Topology/accept(_:from:now:)``).
    init(shape: Shape, count: Int, seed: UInt64, verifyNanoseconds: UInt64, linkLatencyMilliseconds: Double) {
        var random = SplitMix64(seed: seed)
        let names = (1...count).map { "n\($0)" }
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() { index[name] = position }
        self.index = index
        adjacency = Array(repeating: [], count: count)
        for (a, b) in shape.links(count: count, random: &random) {
            adjacency[a].insert(b)
            adjacency[b].insert(a)
        }
        alive = Array(repeating: true, count: count)
        sequences = Array(repeating: 0, count: count)
        let signers = (0..<count).map { _ in IdentitySigner(identity: IdentityKey.generate()) }
        self.signers = signers
        self.verifyNanoseconds = verifyNanoseconds
        self.linkLatencyMilliseconds = linkLatencyMilliseconds
        topologies = (0..<count).map { Topology(localNode: names[$0], localKey: signers[$0].publicKey, verifier: ChargedVerifier()) }
        var adverts: [LinkStateAdvert] = []
        for node in 0..<count {
            for neighbour in adjacency[node] { topologies[node].linkUp(names[neighbour]) }
            adverts.append(publish(node).advert)
        }
        for node in 0..<count {
            let others = adverts.enumerated().filter { $0.offset != node }.map(\.element)
            _ = topologies[node].accept(others, from: names[adjacency[node].min() ?? node], now: now)
        }
    }

    var linkCount: Int { adjacency.reduce(0) { $0 + $1.count } / 2 }

    /// A new signed advert of `node`, published; returns it and its first deliveries.
    private mutating func publish(_ node: Int) -> (advert: LinkStateAdvert, deliveries: [Delivery]) {
        sequences[node] += 1
        let advert = topologies[node].localAdvert(seq: sequences[node], zenki: Self.zenki, offers: [], now: now)
            .signed(by: signers[node])
        let bytes = advert.render().count + Self.commandOverhead
        let to = topologies[node].publish(advert) ?? []
        return (advert, to.compactMap { name in index[name].map { Delivery(advert: advert, bytes: bytes, from: node, to: $0) } })
    }

    struct Delivery {
        let advert: LinkStateAdvert
        let bytes: Int
        let from: Int
        let to: Int
    }

    /// The adverts one node takes from one neighbour in a round.
    private struct Turn: Hashable {
        let to: Int
        let from: Int
    }

    /// `node` re-advertises (refresh or change) and the advert floods.
    mutating func advertise(_ nodes: [Int]) -> FloodResult {
        flood(nodes.flatMap { publish($0).deliveries })
    }

    /// Both ends notice the link is gone and re-advertise.
    mutating func cut(_ a: Int, _ b: Int) -> FloodResult {
        adjacency[a].remove(b)
        adjacency[b].remove(a)
        topologies[a].linkDown(names[b])
        topologies[b].linkDown(names[a])
        return advertise([a, b])
    }

    /// The link comes back: each end sends the other its whole database (as the router does),
    /// then both re-advertise.
    mutating func join(_ a: Int, _ b: Int) -> FloodResult {
        adjacency[a].insert(b)
        adjacency[b].insert(a)
        var deliveries: [Delivery] = []
        for (near, far) in [(a, b), (b, a)] {
            for advert in topologies[near].linkUp(names[far]) {
                deliveries.append(Delivery(advert: advert, bytes: advert.render().count + Self.commandOverhead,
                                           from: near, to: far))
            }
        }
        var result = flood(deliveries)
        result.add(advertise([a, b]))
        return result
    }

    /// The node stops: its neighbours' links drop and they re-advertise.
    mutating func kill(_ node: Int) -> FloodResult {
        alive[node] = false
        let neighbours = adjacency[node].sorted()
        for neighbour in neighbours {
            adjacency[neighbour].remove(node)
            topologies[neighbour].linkDown(names[node])
        }
        adjacency[node] = []
        return advertise(neighbours)
    }

    /// Delivers round by round until nothing is in flight; an advert whose link went down is lost.
    mutating func flood(_ initial: [Delivery]) -> FloodResult {
        var result = FloodResult()
        var pending = initial
        while !pending.isEmpty {
            result.rounds += 1
            var next: [Delivery] = []
            var busy: [Int: UInt64] = [:]
            // A round's adverts from one neighbour reach a node as one turn of that link, whose
            // adverts the router stores and then recomputes the routes once for
            // (`Router.settleTopology`, docs/network.md "Limits"): one batch here.
            var turns: [Turn: [Delivery]] = [:]
            var order: [Turn] = []
            for delivery in pending where alive[delivery.to] && adjacency[delivery.to].contains(delivery.from) {
                result.messages += 1
                result.bytes += delivery.bytes
                let turn = Turn(to: delivery.to, from: delivery.from)
                if turns[turn] == nil { order.append(turn) }
                turns[turn, default: []].append(delivery)
            }
            for turn in order {
                let deliveries = turns[turn] ?? []
                let adverts = deliveries.map(\.advert)
                let start = threadNanoseconds()
                let decisions = topologies[turn.to].accept(adverts, from: names[turn.from], now: now)
                var cost = threadNanoseconds() &- start
                for (delivery, decision) in zip(deliveries, decisions) {
                    guard case .accepted(let forwardTo) = decision else { continue }
                    cost += verifyNanoseconds
                    result.accepted += 1
                    for name in forwardTo {
                        if let to = index[name] {
                            next.append(Delivery(advert: delivery.advert, bytes: delivery.bytes, from: turn.to, to: to))
                        }
                    }
                }
                busy[turn.to, default: 0] += cost
                result.cpuNanoseconds += cost
            }
            result.simulatedMilliseconds += linkLatencyMilliseconds + Double(busy.values.max() ?? 0) / 1e6
            pending = next
        }
        return result
    }

    /// Follows next hops from `source` to `destination`: the number of hops, or nil for a
    /// loop, a dead end or a node off the live graph.
    func forwardedHops(from source: Int, to destination: Int) -> Int? {
        var at = source
        var hops = 0
        while at != destination {
            guard hops <= Topology.maximumHops, let next = topologies[at].nextHop(to: names[destination]),
                  let step = index[next], alive[step], adjacency[at].contains(step)
            else { return nil }
            at = step
            hops += 1
        }
        return hops
    }

    /// Pairs whose forwarded path is missing, loops or is longer than the shortest live path,
    /// out of `samples` random pairs of live nodes.
    func wrongRoutes(samples: Int, random: inout SplitMix64) -> Int {
        let live = (0..<names.count).filter { alive[$0] }
        var wrong = 0
        for _ in 0..<samples {
            let source = live[Int.random(in: 0..<live.count, using: &random)]
            let destination = live[Int.random(in: 0..<live.count, using: &random)]
            let distance = hops(from: source, adjacency)[destination]
            if forwardedHops(from: source, to: destination) != (distance >= 0 ? distance : nil) { wrong += 1 }
        }
        return wrong
    }
}

/// Hop distances from `source` over `adjacency` (breadth first: every cost is 1); -1 where unreachable.
func hops(from source: Int, _ adjacency: [Set<Int>]) -> [Int] {
    var distance = [Int](repeating: -1, count: adjacency.count)
    distance[source] = 0
    var frontier = [source]
    while !frontier.isEmpty {
        var next: [Int] = []
        for node in frontier {
            for neighbour in adjacency[node] where distance[neighbour] < 0 {
                distance[neighbour] = distance[node] + 1
                next.append(neighbour)
            }
        }
        frontier = next
    }
    return distance
}

/// CPU time of the calling thread, nanoseconds.
func threadNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
