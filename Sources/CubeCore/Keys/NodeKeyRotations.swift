/// The node key rotations a node has learned with valid proofs: a small pure state machine the
/// router (adverts) and the link handshakes (trust of a neighbour's key) ask (docs/security.md,
/// "Node key rotation").
///
/// Inputs: proofs (this node's own from `auth.c25519.rotation`, received on links, presented
/// in a link handshake, restored from the durable store at start). A proof is learned only
/// when its old key is the key trusted *now* for some node (listed in `network.nodes`, pinned
/// by an advert, or reached by an earlier rotation), its signature holds and it is at most
/// ``NodeKeyRotation/graceSeconds`` old (a restored one may be older: it was checked when it
/// was learned). A second, different proof from a key already rotated (a thief's) is refused.
/// Outputs: which node a presented key stands for at a given time: its current key always,
/// a retired key for ``retiredGrace`` seconds after its proof's `issued` time
/// (`auth.c25519.rotation.grace`), none after. At most ``maximumEntries`` entries.
package struct NodeKeyRotations: Sendable, Equatable {
    /// The most proofs kept; more are refused.
    package static let maximumEntries = 1024
    /// The default of `auth.c25519.rotation.grace`: one day.
    package static let defaultRetiredGraceSeconds: Int64 = 86_400

    /// Seconds after a proof's `issued` time during which its old key still stands for the node.
    package let retiredGrace: Int64
    private var byOld: [String: NodeKeyRotation] = [:]
    private var order: [String] = []

    /// None learned.
    /// - Parameter retiredGrace: see ``retiredGrace``; 0 refuses a retired key at once.
    package init(retiredGrace: Int64 = Self.defaultRetiredGraceSeconds) {
        self.retiredGrace = max(0, retiredGrace)
    }

    /// What offering a proof did.
    package enum Outcome: Equatable, Sendable {
        /// Learned: `node`'s key is now `new`.
        case learned(node: String)
        /// Known already.
        case known
        /// Not learned, and why.
        case refused(String)
    }

    /// The proofs in order of arrival.
    package var entries: [NodeKeyRotation] { order.compactMap { byOld[$0] } }

    /// Offers a proof.
    /// - Parameters:
    ///   - trusted: node name → key as configured or pinned (before any rotation).
    ///   - restoring: the proof comes from the durable store, where only proofs learned
    ///     earlier are kept: its age is not checked again (the rest is).
    ///   - listed: the nodes of the trusted-nodes file: their proofs are learned even when the
    ///     entries are full (of proofs for nodes only pinned by their adverts, which a hostile
    ///     neighbour can invent by the thousand, and so block every real rotation).
    package mutating func learn(_ rotation: NodeKeyRotation, trusted: [String: String], verifier: some AdvertVerifier,
                               now: Int64, restoring: Bool = false, listed: Set<String> = []) -> Outcome {
        if byOld[rotation.old] == rotation { return .known }
        guard byOld[rotation.old] == nil else { return .refused("\(rotation.old) was rotated to another key already") }
        // One pass, no sorting: this runs for each line of a neighbour's record, under the
        // hub's lock (sorting every pinned name per line stalled the cube for 9.65 s with 4,000
        // nodes and 2,048 lines; a hostile tester's finding). The first name in order wins.
        var found: String?
        for (name, key) in trusted where current(key) == rotation.old && found.map({ name < $0 }) ?? true { found = name }
        guard let node = found else {
            return .refused("\(rotation.old) is not the current key of a trusted node")
        }
        guard order.count < Self.maximumEntries || listed.contains(node) else {
            return .refused("too many rotations [ \(Self.maximumEntries) ]")
        }
        if let problem = rotation.problem(with: verifier, now: restoring ? rotation.issued : now) { return .refused(problem) }
        byOld[rotation.old] = rotation
        order.append(rotation.old)
        return .learned(node: node)
    }

    /// The key that `key` was rotated to, through every learned step (itself when none).
    package func current(_ key: String) -> String {
        var key = key
        var steps = 0
        // Bounded: a chain cannot be longer than the entries (a cycle would need a key
        // rotated twice, which `learn` refuses).
        while let next = byOld[key]?.new, steps < order.count {
            key = next
            steps += 1
        }
        return key
    }

    /// When (unix seconds) the retired `key` stops standing for its node: it does while
    /// `now < retiredUntil`, so a grace of 0 retires it at once. Nil for a key not rotated.
    package func retiredUntil(_ key: String) -> Int64? {
        byOld[key].map { $0.issued.addingReportingOverflow(retiredGrace).partialValue }
    }

    /// The node `key` stands for at `now`, given the configured or pinned keys: the node whose
    /// current key it is, or whose retired key it is while its grace lasts; nil for an
    /// unknown key and for a key retired longer ago.
    package func node(presenting key: String, trusted: [String: String], now: Int64) -> String? {
        trusted.keys.sorted().first { node in
            var step = trusted[node] ?? ""
            // The chain from the listed key to the current one (bounded as in `current`).
            for _ in 0...order.count {
                guard let rotation = byOld[step] else { return step == key }
                if step == key { return now < retiredUntil(step) ?? .max }
                step = rotation.new
            }
            return false
        }
    }

    /// The text form of the entries given, one line each (a link record's body).
    package static func render(_ entries: [NodeKeyRotation]) -> String {
        entries.map { $0.text + "\n" }.joined()
    }
}
