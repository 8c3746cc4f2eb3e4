/// The node key rotations a node has learned with valid proofs: a small pure state machine the
/// router (adverts) and the link handshakes (trust of a neighbour's key) ask (docs/security.md,
/// "Node key rotation").
///
/// Inputs: proofs (this node's own from `auth.c25519.rotation`, received on links, presented
/// in a link handshake). A proof is learned only when its old key is the key trusted *now* for
/// some node (listed in `network.nodes`, pinned by an advert, or reached by an earlier
/// rotation), its signature holds and it is at most ``NodeKeyRotation/graceSeconds`` old.
/// Outputs: which node a presented key stands for; a retired key stands for none. At most
/// ``maximumEntries`` entries.
public struct NodeKeyRotations: Sendable, Equatable {
    /// The most proofs kept; more are refused.
    public static let maximumEntries = 1024

    private var byOld: [String: NodeKeyRotation] = [:]
    private var order: [String] = []

    /// None learned.
    public init() {}

    /// What offering a proof did.
    public enum Outcome: Equatable, Sendable {
        /// Learned: `node`'s key is now `new`.
        case learned(node: String)
        /// Known already.
        case known
        /// Not learned, and why.
        case refused(String)
    }

    /// The proofs in order of arrival.
    public var entries: [NodeKeyRotation] { order.compactMap { byOld[$0] } }

    /// Offers a proof.
    /// - Parameters:
    ///   - trusted: node name → key as configured or pinned (before any rotation).
    public mutating func learn(_ rotation: NodeKeyRotation, trusted: [String: String], verifier: some AdvertVerifier,
                               now: Int64) -> Outcome {
        if byOld[rotation.old] == rotation { return .known }
        guard byOld[rotation.old] == nil else { return .refused("\(rotation.old) was rotated to another key already") }
        guard let node = trusted.keys.sorted().first(where: { current(trusted[$0] ?? "") == rotation.old }) else {
            return .refused("\(rotation.old) is not the current key of a trusted node")
        }
        if let problem = rotation.problem(with: verifier, now: now) { return .refused(problem) }
        guard order.count < Self.maximumEntries else { return .refused("too many rotations [ \(Self.maximumEntries) ]") }
        byOld[rotation.old] = rotation
        order.append(rotation.old)
        return .learned(node: node)
    }

    /// The key that `key` was rotated to, through every learned step (itself when none).
    public func current(_ key: String) -> String {
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

    /// The node whose current key is `key`, given the configured or pinned keys; nil for an
    /// unknown key and for a retired one.
    public func node(presenting key: String, trusted: [String: String]) -> String? {
        trusted.keys.sorted().first { current(trusted[$0] ?? "") == key }
    }

    /// The text form of the entries given, one line each (a link record's body).
    public static func render(_ entries: [NodeKeyRotation]) -> String {
        entries.map { $0.text + "\n" }.joined()
    }
}
