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
public final class LinkTrust: Sendable {
    /// Node name → key as `network.nodes` lists it.
    private let listed: [String: String]
    private let rotations = NIOLockedValueBox(NodeKeyRotations())

    /// - Parameter nodes: the trusted-nodes file.
    public init(nodes: KnownNodes) {
        listed = nodes.keys.mapValues(\.description)
    }

    /// The node whose current key is `key`, nil for an unknown or retired key.
    public func node(presenting key: PublicKey) -> String? {
        rotations.withLockedValue { $0.node(presenting: key.description, trusted: listed) }
    }

    /// Offers a rotation proof (received in a handshake, or learned by the router from a link).
    @discardableResult
    public func learn(_ rotation: NodeKeyRotation, now: Int64 = Int64(time(nil))) -> NodeKeyRotations.Outcome {
        rotations.withLockedValue { $0.learn(rotation, trusted: listed, verifier: Ed25519AdvertVerifier(), now: now) }
    }
}
