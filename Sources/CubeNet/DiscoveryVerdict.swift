import CubeAuth

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
        /// The node name is not in the trusted-nodes file, or is listed with another key.
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
    ///   - nodes: the trusted nodes; the announced name must be listed with the announced key.
    ///   - ownName: this node's name.
    ///   - ownKey: this node's identity key.
    ///   - now: the current time in unix seconds.
    ///   - intervalSeconds: `network.discovery.interval`.
    ///   - mayVerify: asked just before the signature check, which costs the most; false refuses
    ///     the announcement as ``Reason/busy`` (the caller's flood limit).
    /// - Returns: the verdict.
    package static func judge(_ announcement: DiscoveryAnnouncement, nodes: KnownNodes, ownName: String, ownKey: PublicKey,
                             now: Int64, intervalSeconds: Int, mayVerify: () -> Bool = { true }) -> DiscoveryVerdict {
        if announcement.node == ownName || announcement.key == ownKey { return .own }
        guard nodes.key(for: announcement.node) == announcement.key else { return .refuse(.untrusted) }
        if announcement.issued < now - lifetimeIntervals * Int64(intervalSeconds) { return .refuse(.stale) }
        if announcement.issued > now + maximumSkewSeconds { return .refuse(.future) }
        guard mayVerify() else { return .refuse(.busy) }
        return announcement.hasValidSignature ? .accept : .refuse(.badSignature)
    }
}
