/// The `c25519` login (docs/protocol.md §3.5) as the router sees it. The cryptography lives in
/// CubeAuth; the router only moves handshake lines and learns the outcome, so the core
/// stays free of crypto and I/O.
package protocol SecureHandshake: Sendable {
    /// Feeds one handshake line (without its LF).
    mutating func receive(_ line: [UInt8]) -> SecureHandshakeStep

    /// After `.authenticated`: what the login rested on, as revocation targets (`key:<key>`,
    /// and `cert:<id>` when a certificate named the user; ``Revocation``). The router refuses
    /// a login whose credentials are revoked and closes the session when one is revoked later.
    var credentials: [String] { get }
}

extension SecureHandshake {
    /// No credentials to revoke (handshakes that do not use keys).
    package var credentials: [String] { [] }
}

/// What a handshake line leads to.
package enum SecureHandshakeStep: Sendable {
    /// Send these bytes (a complete line) and wait for the next line.
    case send([UInt8])
    /// The peer proved its key and may act as `user`; traffic switches to the session keys.
    case authenticated(user: String, keys: SecureChannelKeys)
    /// The peer proved the key of the trusted node `name`: the session is a link from it
    /// (docs/protocol.md §8.3), logged in as user `name`.
    case authenticatedNode(name: String, keys: SecureChannelKeys)
    /// A line of the wrong shape (`>:[`).
    case malformed
    /// A bad signature or a key nobody authorized (``AUTH_ERROR `>:|``).
    case denied(String)
    /// A credential refused for a reason the client may read, such as an expired key
    /// certificate: answered `FALSE <reason>`, counted as a failed login, closed.
    case refused(String)
}

/// Starts the server side of a handshake for one session (after `select c25519` was
/// answered `TRUE continue`; both signatures cover the banner and those two lines).
package protocol SecureHandshakeFactory: Sendable {
    func start() -> any SecureHandshake
}

/// Signs client keys for `set-client-key` ("virtual keys", docs/protocol.md §3.5).
package protocol CertificateIssuer: Sendable {
    /// A one-line certificate binding `publicKey` (base32) to `name` until `expires` (unix
    /// seconds), or nil for a malformed key or name.
    func issueCertificate(publicKey: String, name: String, expires: Int64) -> String?

    /// Signs revocations (`revoke`) with the node's identity key.
    var revocationSigner: any AdvertSigner { get }
}

/// Session keys of an encrypted session: the owner of the connection switches both
/// directions to `crypto_secretstream` with them right after `AUTH_TRUE =)`.
package final class SecureChannelKeys: Equatable, Sendable {
    /// Key for bytes received from the peer.
    package let receive: [UInt8]
    /// Key for bytes sent to the peer.
    package let transmit: [UInt8]

    package init(receive: [UInt8], transmit: [UInt8]) {
        self.receive = receive
        self.transmit = transmit
    }

    package static func == (lhs: SecureChannelKeys, rhs: SecureChannelKeys) -> Bool { lhs === rhs }
}
