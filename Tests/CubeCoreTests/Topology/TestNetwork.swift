import CubeCore

/// Several ``Topology`` databases joined by simulated links: adverts travel as parsed text,
/// one at a time, in order, until nothing is in flight. Records every send for the flooding
/// checks.
struct TestNetwork {
    struct Send: Hashable {
        let origin: String
        let sequence: UInt64
        let from: String
        let to: String
    }

    static let start: Int64 = 1_750_000_000

    private(set) var nodes: [String: Topology] = [:]
    private var sequences: [String: UInt64] = [:]
    private var inFlight: [(advert: [UInt8], from: String, to: String)] = []
    private(set) var sends: [Send] = []
    private(set) var decisions: [(node: String, from: String, decision: AdvertDecision)] = []
    var now = TestNetwork.start

    init(_ names: [String]) {
        for name in names { nodes[name] = Self.database(for: name) }
    }

    static func database(for name: String) -> Topology {
        Topology(localNode: name, localKey: ToyMAC.key(for: name), verifier: ToyVerifier())
    }

    /// The five-node ring n1…n5 with the chord n1–n3, converged.
    static func ringWithChord() -> TestNetwork {
        var network = TestNetwork(["n1", "n2", "n3", "n4", "n5"])
        for (a, b) in [("n1", "n2"), ("n2", "n3"), ("n3", "n4"), ("n4", "n5"), ("n5", "n1"), ("n1", "n3")] {
            network.connect(a, b)
        }
        return network
    }

    subscript(_ name: String) -> Topology {
        guard let node = nodes[name] else { preconditionFailure("no live node \(name)") }
        return node
    }

    mutating func connect(_ a: String, _ b: String, cost: UInt32 = 1) {
        for (near, far) in [(a, b), (b, a)] {
            for advert in nodes[near]?.linkUp(far, cost: cost) ?? [] { inFlight.append((advert.render(), near, far)) }
        }
        advertise(a)
        advertise(b)
        settle()
    }

    /// Like ``connect(_:_:cost:)`` but each end gives the link its own cost.
    mutating func connectAsymmetric(_ a: String, _ b: String, costAtA: UInt32, costAtD costAtB: UInt32) {
        for (near, far, cost) in [(a, b, costAtA), (b, a, costAtB)] {
            for advert in nodes[near]?.linkUp(far, cost: cost) ?? [] { inFlight.append((advert.render(), near, far)) }
        }
        advertise(a)
        advertise(b)
        settle()
    }

    mutating func disconnect(_ a: String, _ b: String) {
        nodes[a]?.linkDown(b)
        nodes[b]?.linkDown(a)
        advertise(a)
        advertise(b)
        settle()
    }

    /// The node stops; its neighbours notice their links drop and re-advertise.
    mutating func kill(_ name: String) {
        guard let dead = nodes.removeValue(forKey: name) else { return }
        for neighbour in dead.neighbours {
            nodes[neighbour]?.linkDown(name)
            advertise(neighbour)
        }
        settle()
    }

    /// `a` notices its link to `b` is down and re-advertises; `b` has not noticed yet.
    mutating func linkDownOnOneSide(_ a: String, _ b: String) {
        nodes[a]?.linkDown(b)
        advertise(a)
        settle()
    }

    /// A node starts again from scratch (empty database, sequence numbers from 1).
    mutating func revive(_ name: String) {
        nodes[name] = Self.database(for: name)
        sequences[name] = 0
    }

    /// A new advert of `name`, signed and sent to its live neighbours (not yet delivered).
    mutating func advertise(_ name: String) {
        guard let node = nodes[name] else { return }
        sequences[name, default: 0] += 1
        let advert = node.localAdvert(seq: sequences[name, default: 0], zenki: ["calc"], offers: [], now: now)
            .signed(by: ToySigner(publicKey: node.localKey))
        for neighbour in nodes[name]?.publish(advert) ?? [] { inFlight.append((advert.render(), name, neighbour)) }
    }

    /// Time passes: every live node re-advertises (as its refresh timer would), then every
    /// node expires what grew too old.
    mutating func advance(by seconds: Int64) {
        now += seconds
        for name in nodes.keys.sorted() { advertise(name) }
        settle()
        for name in nodes.keys { nodes[name]?.expire(now: now) }
    }

    /// Delivers everything in flight, flooding what is accepted, until the network is quiet.
    /// A message whose link went down meanwhile is lost.
    mutating func settle() {
        while !inFlight.isEmpty {
            let (text, from, to) = inFlight.removeFirst()
            guard nodes[to]?.links[from] != nil, let advert = LinkStateAdvert(parsing: text),
                  let decision = nodes[to]?.accept(advert, from: from, now: now)
            else { continue }
            sends.append(Send(origin: advert.origin, sequence: advert.sequence, from: from, to: to))
            decisions.append((to, from, decision))
            if case .accepted(let forwardTo) = decision {
                for next in forwardTo { inFlight.append((text, to, next)) }
            }
        }
    }
}
