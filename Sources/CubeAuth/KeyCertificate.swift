import CubeCore

/// A signed ("virtual") user key: a node vouches that `key` belongs to user `name` until
/// `expires` (docs/protocol.md §3.5, `set-client-key`). Nodes that trust the signer accept it.
///
/// Text form, one line: `<name> <user-key> <expires> <signer-key> <signature>` (keys and
/// signature in base32, `expires` in decimal unix seconds). The signature is Ed25519 over the
/// bytes `"protocol-7 key certificate v1\n<name> <user-key> <expires>\n"`; the domain prefix
/// keeps it from ever being valid as a handshake signature (those sign a 32-byte hash).
package struct KeyCertificate: Sendable, Hashable {
    /// The user name (``UserName`` grammar).
    package let name: String
    /// The user's key.
    package let key: PublicKey
    /// Expiry, unix seconds; the certificate is valid while `now < expires`.
    package let expires: Int64
    /// The node that signed.
    package let signer: PublicKey
    /// The 64-byte signature.
    package let signature: [UInt8]

    /// Issues a certificate.
    /// - Parameters:
    ///   - key: the user's key.
    ///   - name: the user name; must satisfy ``UserName/isValid(_:)``.
    ///   - expires: expiry in unix seconds.
    ///   - signer: the node's identity.
    /// - Returns: the signed certificate.
    /// - Precondition: `name` is valid (check with ``UserName/isValid(_:)`` first).
    package static func issue(for key: PublicKey, name: String, expires: Int64, by signer: IdentityKey)
        -> KeyCertificate
    {
        precondition(UserName.isValid(name), "invalid user name for a key certificate")
        let signature = signer.sign(signedBytes(name: name, key: key, expires: expires))
        return KeyCertificate(name: name, key: key, expires: expires, signer: signer.publicKey, signature: signature)
    }

    /// Stores the fields.
    private init(name: String, key: PublicKey, expires: Int64, signer: PublicKey, signature: [UInt8]) {
        self.name = name
        self.key = key
        self.expires = expires
        self.signer = signer
        self.signature = signature
    }

    /// Parses the one-line text form (no signature check; see ``verify(trusting:now:)``).
    /// - Parameter text: `<name> <user-key> <expires> <signer-key> <signature>`, single spaces.
    /// - Returns: nil if the shape, name, keys, number or base32 are wrong.
    package init?(text: String) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, UserName.isValid(fields[0]),
              let key = PublicKey(base32: fields[1]),
              let expires = Int64(fields[2]), String(expires) == fields[2],
              let signer = PublicKey(base32: fields[3]),
              let signature = Base32.decode(fields[4]), signature.count == 64 else { return nil }
        self.init(name: fields[0], key: key, expires: expires, signer: signer, signature: signature)
    }

    /// The one-line text form.
    package var text: String { "\(name) \(key) \(expires) \(signer) \(Base32.encode(signature))" }

    /// The certificate id: 26 base32 characters of BLAKE2b-128 over the text form. `revoke`
    /// takes it, and `cube cert show` prints it (docs/security.md, "Revocation").
    package var id: String { Base32.encode(KeyDigest.blake2b(Array(text.utf8), length: 16)) }

    /// Checks the certificate against unscoped signers (every name, no bound on validity).
    /// - Parameters:
    ///   - trusted: the node keys whose certificates are accepted.
    ///   - now: the current time, unix seconds.
    /// - Returns: the user name and key, or why the certificate is refused.
    package func verify(trusting trusted: Set<PublicKey>, now: Int64)
        -> Result<(name: String, key: PublicKey), CertificateError>
    {
        verify(signers: Dictionary(uniqueKeysWithValues: trusted.map { ($0, SignerScope.ownNode) }), privileged: [], now: now)
    }

    /// Checks the certificate: a trusted signer first, then the signature, then the signer's
    /// scope for the name, then expiry and the signer's longest validity.
    /// - Parameters:
    ///   - signers: the keys whose certificates are accepted, with what each may certify.
    ///   - privileged: names a wildcard of a scope does not reach (``SignerScope``).
    ///   - now: the current time, unix seconds.
    /// - Returns: the user name and key, or why the certificate is refused.
    package func verify(signers: [PublicKey: SignerScope], privileged: Set<String>, now: Int64)
        -> Result<(name: String, key: PublicKey), CertificateError>
    {
        guard let scope = signers[signer] else { return .failure(.untrustedSigner(signer)) }
        guard signer.verify(signature, of: Self.signedBytes(name: name, key: key, expires: expires)) else {
            return .failure(.badSignature)
        }
        guard scope.permits(name, privileged: privileged.contains(name)) else {
            return .failure(.nameOutOfScope(name: name, signer: signer))
        }
        guard now < expires else { return .failure(.expired(at: expires)) }
        if let days = scope.maximumDays, expires - now > days * 86_400 {
            return .failure(.validityTooLong(maximumDays: days))
        }
        return .success((name: name, key: key))
    }

    /// The bytes the signer signs.
    static func signedBytes(name: String, key: PublicKey, expires: Int64) -> [UInt8] {
        Array("protocol-7 key certificate v1\n\(name) \(key) \(expires)\n".utf8)
    }
}
