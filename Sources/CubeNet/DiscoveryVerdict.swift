import CubeAuth
import CubeRuntime

/// What a node does with a received ``DiscoveryAnnouncement``.
package enum DiscoveryVerdict: Equatable, Sendable {
    /// Link to the announced address.
    case accept
    /// This node's own announcement (or a node claiming its name): ignored silently.
    case own
    /// Refused; the reason is logged.
    case refuse(Reason)

    /// Why an announcement was refused.
    package enum Reason: String, Sendable {
        /// The key stands for no trusted node, or for another one than the announced name: not
        /// the key listed in the trusted-nodes file, nor one it was rotated to with a proof this
        /// node learned, nor a retired key within its grace (docs/security.md, "Node key rotation").
        case untrusted = "node or key not trusted"
        /// Issued more than three intervals ago: a replay, or a clock far behind.
        case stale = "too old"
        /// Issued more than a minute ahead: a clock far ahead, or a forgery kept for later.
        case future = "issued in the future"
        /// The signature does not verify.
        case badSignature = "bad signature"
        /// Too many signatures to check this second: a flood of announcements, dropped unchecked.
        case busy = "too many announcements"
    }

    /// How far ahead of this node's clock an announcement may be dated.
    package static let maximumSkewSeconds: Int64 = 60
    /// How many announcement intervals an announcement stays acceptable.
    package static let lifetimeIntervals: Int64 = 3

    /// Judges an announcement. The cheap checks come first so that junk costs no signature check.
    /// - Parameters:
    ///   - announcement: the parsed datagram.
    ///   - trust: which node a key stands for (``LinkTrust``, rotations learned included, as for
    ///     links); the announced key must stand for the announced name at `now`.
    ///   - ownName: this node's name.
    ///   - ownKey: this node's identity key.
    ///   - now: the current time in unix seconds.
    ///   - intervalSeconds: `network.discovery.interval`.
    ///   - mayVerify: asked just before the signature check, which costs the most; false refuses
    ///     the announcement as ``Reason/busy`` (the caller's flood limit).
    /// - Returns: the verdict.
    package static func judge(_ announcement: DiscoveryAnnouncement, trust: LinkTrust, ownName: String, ownKey: PublicKey,
                             now: Int64, intervalSeconds: Int, mayVerify: () -> Bool = { true }) -> DiscoveryVerdict {
        if announcement.node == ownName || announcement.key == ownKey { return .own }
        // The same decision as a link handshake's: a node that learned a rotation follows the
        // new key here too, and the retired one only within its grace.
        guard trust.node(presenting: announcement.key, now: now) == announcement.node else { return .refuse(.untrusted) }
        if announcement.issued < now - lifetimeIntervals * Int64(intervalSeconds) { return .refuse(.stale) }
        if announcement.issued > now + maximumSkewSeconds { return .refuse(.future) }
        guard mayVerify() else { return .refuse(.busy) }
        return announcement.hasValidSignature ? .accept : .refuse(.badSignature)
    }
}
