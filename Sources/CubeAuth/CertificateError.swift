/// Why a ``KeyCertificate`` is not accepted. The descriptions go to the client after
/// `FALSE` (it holds the certificate, so they tell it nothing new) and to the log.
package enum CertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signing node is not among the trusted keys.
    case untrustedSigner(PublicKey)
    /// The signature does not verify (forged or altered certificate).
    case badSignature
    /// The certificate expired at this time (unix seconds).
    case expired(at: Int64)
    /// The signer may not certify this name (``SignerScope``).
    case nameOutOfScope(name: String, signer: PublicKey)
    /// The certificate is valid for longer than its signer may give (days).
    case validityTooLong(maximumDays: Int64)
    /// The certificate is for another key than the one the client proves.
    case wrongKey(certified: PublicKey, presented: PublicKey)
    /// The certificate, or its key, was revoked (docs/security.md, "Revocation").
    case revoked(String)

    /// A one-line human-readable description.
    package var description: String {
        switch self {
        case .untrustedSigner(let key): "key certificate signed by untrusted key \(key)"
        case .badSignature: "key certificate signature does not verify"
        case .expired(let time): "key certificate expired at \(time)"
        case .nameOutOfScope(let name, let signer): "signer \(signer) may not certify the name '\(name)'"
        case .validityTooLong(let days): "key certificate valid for longer than its signer may give (\(days) days)"
        case .wrongKey(let certified, let presented):
            "key certificate is for key \(certified), not for the key \(presented) this login presents"
        case .revoked(let what): "key certificate revoked (\(what))"
        }
    }
}
