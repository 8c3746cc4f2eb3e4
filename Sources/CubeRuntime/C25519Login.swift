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
package struct C25519Login: SecureHandshakeFactory, CertificateIssuer {
    let identity: IdentityKey
    /// Which client keys may log in, and as whom (a reload compares them).
    package let authorized: AuthorizedKeys
    /// Nodes whose certificates are accepted, with what each may certify (this node: anything).
    package let signers: [PublicKey: SignerScope]
    /// Names a signer's wildcard does not reach: those with their own access rule.
    let privileged: Set<String>
    /// Trusted nodes by key (`network.nodes`): a session proving one of these keys is a link.
    let nodes: [PublicKey: String]
    /// The proof that this node's key replaced an earlier one (`auth.c25519.rotation`), sent
    /// to clients that ask with `rotation` before `hello`.
    package var rotation: KeyRotation?
    /// Trusted nodes with their rotated keys: a session proving a node's current key, or
    /// presenting (`rotation <proof>` before `hello`) a valid proof for the key it proves, is
    /// a link. Without it, only the keys in `nodes` are.
    package var linkTrust: LinkTrust?

    /// - Parameters:
    ///   - identity: this node's Ed25519 identity.
    ///   - authorized: which client keys may log in, and as whom.
    ///   - signers: other nodes whose key certificates are accepted, and their scopes.
    ///   - privileged: names only a signer that lists them literally may certify.
    ///   - nodes: trusted nodes (name → key) whose sessions are links.
    package init(identity: IdentityKey, authorized: AuthorizedKeys, signers: [PublicKey: SignerScope] = [:],
                privileged: Set<String> = [], nodes: KnownNodes = KnownNodes()) {
        self.identity = identity
        self.authorized = authorized
        self.signers = signers.merging([identity.publicKey: .ownNode]) { _, own in own }
        self.privileged = privileged
        self.nodes = nodes.nodesByKey
    }

    package func start() -> any SecureHandshake {
        Handshake(handshake: ServerHandshake(identity: identity, banner: Wire.banner, ephemeral: .generate()),
                  authorized: authorized, signers: signers, privileged: privileged, nodes: nodes, rotation: rotation, linkTrust: linkTrust)
    }

    /// Signs `key` for `name` until `expires` (the `set-client-key` command).
    package func issueCertificate(publicKey: String, name: String, expires: Int64) -> String? {
        guard let key = PublicKey(base32: publicKey), UserName.isValid(name) else { return nil }
        return KeyCertificate.issue(for: key, name: name, expires: expires, by: identity).text
    }

    /// The node's identity, for `revoke`.
    package var revocationSigner: any AdvertSigner { IdentityAdvertSigner(identity: identity) }

    /// One connection's handshake.
    struct Handshake: SecureHandshake {
        var handshake: ServerHandshake
        let authorized: AuthorizedKeys
        let signers: [PublicKey: SignerScope]
        let privileged: Set<String>
        let nodes: [PublicKey: String]
        let rotation: KeyRotation?
        let linkTrust: LinkTrust?
        /// A dialling node's proof that its key replaced a trusted one.
        var presented: NodeKeyRotation?
        var certificate: KeyCertificate?
        var sawHello = false
        /// Set when the handshake succeeded: `key:<client>`, and `cert:<id>` if the certificate named the user.
        var credentials: [String] = []

        mutating func receive(_ raw: [UInt8]) -> SecureHandshakeStep {
            // Every handshake line may carry the `auth.` prefix (docs/protocol.md §3.5): the
            // handshake's own lines dropped it, these did not (`auth.rotation` closed the
            // session as a failed login; a hostile tester's finding).
            let line = raw.starts(with: "auth.".utf8) ? Array(raw.dropFirst(5)) : raw
            if !sawHello, line.starts(with: "cert ".utf8) {
                guard certificate == nil, let parsed = KeyCertificate(text: String(decoding: line.dropFirst(5), as: UTF8.self))
                else { return .malformed }
                // Checked at once, so the client learns why before it signs anything; only
                // whether it holds the certified key is left for the handshake.
                if case .failure(let error) = parsed.verify(signers: signers, privileged: privileged, now: Int64(time(nil))) {
                    return .refused(error.description)
                }
                certificate = parsed
                return .send(Wire.line("TRUE certificate noted"))
            }
            // A client whose pinned key differs asks for the proof of a rotation, then closes.
            if !sawHello, line.elementsEqual("rotation".utf8) {
                return .send(Wire.line(rotation.map { "TRUE \($0.text)" } ?? "FALSE no key rotation"))
            }
            // A rotated node dialling a link presents its proof; it is checked once the
            // handshake has proven the new key.
            if !sawHello, line.starts(with: "rotation ".utf8) {
                guard presented == nil, let parsed = NodeKeyRotation(text: String(decoding: line.dropFirst(9), as: UTF8.self))
                else { return .malformed }
                presented = parsed
                return .send(Wire.line("TRUE rotation noted"))
            }
            if !sawHello, let certificate, let client = Self.helloKey(line), client != certificate.key {
                return .refused(CertificateError.wrongKey(certified: certificate.key, presented: client).description)
            }
            sawHello = true
            switch handshake.receive(line: line) {
            case .send(let bytes):
                return .send(bytes)
            case .authenticated(let client, let keys):
                let channel = SecureChannelKeys(receive: keys.rx, transmit: keys.tx)
                if let node = linkNode(client) { return .authenticatedNode(name: node, keys: channel) }
                guard let user = user(for: client) else { return .denied("key \(client)") }
                credentials = ["key:\(client)"]
                if authorized.user(for: client) == nil, let certificate { credentials.append("cert:\(certificate.id)") }
                return .authenticated(user: user, keys: channel)
            case .failed(let failure):
                return failure.serverReply.starts(with: ">:[".utf8) ? .malformed : .denied("c25519 \(failure)")
            }
        }

        /// The trusted node a proven key stands for, learning the presented proof if needed.
        private func linkNode(_ client: PublicKey) -> String? {
            guard let linkTrust else { return nodes[client] }
            if let node = linkTrust.node(presenting: client) { return node }
            guard let presented, presented.new == client.description,
                  case .learned(let node) = linkTrust.learn(presented) else { return nil }
            return node
        }

        /// The identity key of a `hello <C> <Ce>` line (the handshake parses it strictly later).
        static func helloKey(_ line: [UInt8]) -> PublicKey? {
            let fields = line.split(separator: Wire.space, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].elementsEqual("hello".utf8) else { return nil }
            return PublicKey(base32: String(decoding: fields[1], as: UTF8.self))
        }

        /// The user a proven key logs in as: listed, or certified (checked at the `cert` line,
        /// the key at `hello`) by a trusted node for this key.
        private func user(for client: PublicKey) -> String? {
            if let user = authorized.user(for: client) { return user }
            guard let certificate, certificate.key == client else { return nil }
            return certificate.name
        }
    }
}
