import CubeAuth
import CubeCore
#if canImport(Glibc)
import Glibc
#endif

/// The `c25519` method for the router: runs CubeAuth's handshake and maps the proven client
/// key to a user (docs/protocol.md §3.5), either through the authorized-keys file or through a
/// key certificate ("virtual key") signed by a node this one trusts.
///
/// A client with a certificate sends it before `hello` as `cert <certificate>` and gets
/// `TRUE certificate noted`; the certificate binds a user name to the very key the handshake
/// then proves, so it needs no place in the signed transcript.
public struct C25519Login: SecureHandshakeFactory, CertificateIssuer {
    let identity: IdentityKey
    /// Which client keys may log in, and as whom (a reload compares them).
    public let authorized: AuthorizedKeys
    /// Nodes whose certificates are accepted (this node always is).
    public let trustedSigners: Set<PublicKey>
    /// Trusted nodes by key (`network.nodes`): a session proving one of these keys is a link.
    let nodes: [PublicKey: String]

    /// - Parameters:
    ///   - identity: this node's Ed25519 identity.
    ///   - authorized: which client keys may log in, and as whom.
    ///   - trustedSigners: other nodes whose key certificates are accepted.
    ///   - nodes: trusted nodes (name → key) whose sessions are links.
    public init(identity: IdentityKey, authorized: AuthorizedKeys, trustedSigners: Set<PublicKey> = [],
                nodes: KnownNodes = KnownNodes()) {
        self.identity = identity
        self.authorized = authorized
        self.trustedSigners = trustedSigners.union([identity.publicKey])
        self.nodes = nodes.nodesByKey
    }

    public func start() -> any SecureHandshake {
        Session(handshake: ServerHandshake(identity: identity, banner: Wire.banner, ephemeral: .generate()),
                authorized: authorized, trustedSigners: trustedSigners, nodes: nodes)
    }

    /// Signs `key` for `name` until `expires` (the `set-client-key` command).
    public func issueCertificate(publicKey: String, name: String, expires: Int64) -> String? {
        guard let key = PublicKey(base32: publicKey), UserName.isValid(name) else { return nil }
        return KeyCertificate.issue(for: key, name: name, expires: expires, by: identity).text
    }

    /// One connection's handshake.
    struct Session: SecureHandshake {
        var handshake: ServerHandshake
        let authorized: AuthorizedKeys
        let trustedSigners: Set<PublicKey>
        let nodes: [PublicKey: String]
        var certificate: KeyCertificate?
        var sawHello = false

        mutating func receive(_ line: [UInt8]) -> SecureHandshakeStep {
            if !sawHello, line.starts(with: "cert ".utf8) {
                guard certificate == nil, let parsed = KeyCertificate(text: String(decoding: line.dropFirst(5), as: UTF8.self))
                else { return .malformed }
                certificate = parsed
                return .send(Wire.line("TRUE certificate noted"))
            }
            sawHello = true
            switch handshake.receive(line: line) {
            case .send(let bytes):
                return .send(bytes)
            case .authenticated(let client, let keys):
                let channel = SecureChannelKeys(receive: keys.rx, transmit: keys.tx)
                if let node = nodes[client] { return .authenticatedNode(name: node, keys: channel) }
                guard let user = user(for: client) else { return .denied("key \(client)") }
                return .authenticated(user: user, keys: channel)
            case .failed(let failure):
                return failure.serverReply.starts(with: ">:[".utf8) ? .malformed : .denied("c25519 \(failure)")
            }
        }

        /// The user a proven key logs in as: listed, or certified by a trusted node for this key.
        private func user(for client: PublicKey) -> String? {
            if let user = authorized.user(for: client) { return user }
            guard let certificate, certificate.key == client,
                  case .success(let verified) = certificate.verify(trusting: trustedSigners, now: Int64(time(nil)))
            else { return nil }
            return verified.name
        }
    }
}
