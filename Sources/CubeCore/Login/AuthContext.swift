/// What an ``AuthMethod`` may look at (and, for one-time keys, use up) when it judges a
/// session's login. Built by the router for each select and credential line.
package struct AuthContext: Sendable {
    package let transport: Transport
    /// The unix peer's credentials (unix socket only).
    package let peer: PeerIdentity?
    package let origin: Origin?
    package let configuration: CubeConfiguration
    package let now: Timestamp
    /// Digests one-time zenka keys.
    package let hasher: any KeyHasher
    /// Runs `c25519` handshakes; nil when the node has no identity key.
    package let secureLogin: (any SecureHandshakeFactory)?
    /// One-time zenka keys by name; a key that logs in is removed (docs/protocol.md §3.3).
    package var zenkaKeys: ZenkaKeys
}
