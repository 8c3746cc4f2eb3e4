import CubeAuth
import CubeCore
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Which trusted node a key proven in a link handshake stands for: the key listed for it in
/// `network.nodes`, or the key that one was rotated to with a valid proof (docs/security.md,
/// "Node key rotation"). A retired key stands for no node. Shared by the dialling and the
/// accepting side and fed by the router (``Hub/Delegates/nodeKeyRotated``), so it is locked.
package final class LinkTrust: Sendable {
    /// Node name → key as `network.nodes` lists it.
    private let listed: [String: String]
    private let rotations: NIOLockedValueBox<NodeKeyRotations>

    /// - Parameters:
    ///   - nodes: the trusted-nodes file.
    ///   - retiredGrace: how long after a proof's issued time its old key still stands for the
    ///     node (`auth.c25519.rotation.grace`).
    package init(nodes: KnownNodes, retiredGrace: Int64 = NodeKeyRotations.defaultRetiredGraceSeconds) {
        listed = nodes.keys.mapValues(\.description)
        rotations = NIOLockedValueBox(NodeKeyRotations(retiredGrace: retiredGrace))
    }

    /// The node whose current key is `key` (or whose retired key it is, within the grace),
    /// nil for an unknown key or one retired longer ago.
    package func node(presenting key: PublicKey, now: Int64 = Int64(time(nil))) -> String? {
        rotations.withLockedValue { $0.node(presenting: key.description, trusted: listed, now: now) }
    }

    /// Offers a rotation proof (received in a handshake, or learned by the router from a link;
    /// `restoring`: read from the durable store at start, its age not checked again).
    @discardableResult
    package func learn(_ rotation: NodeKeyRotation, now: Int64 = Int64(time(nil)), restoring: Bool = false)
        -> NodeKeyRotations.Outcome {
        rotations.withLockedValue {
            $0.learn(rotation, trusted: listed, verifier: Ed25519AdvertVerifier(), now: now, restoring: restoring)
        }
    }
}
