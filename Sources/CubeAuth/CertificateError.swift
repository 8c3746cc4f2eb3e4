/// Why a ``KeyCertificate`` is not accepted.
public enum CertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signing node is not among the trusted keys.
    case untrustedSigner(PublicKey)
    /// The signature does not verify (forged or altered certificate).
    case badSignature
    /// The certificate expired at this time (unix seconds).
    case expired(at: Int64)

    /// A one-line human-readable description.
    public var description: String {
        switch self {
        case .untrustedSigner(let key): "key certificate signed by untrusted key \(key)"
        case .badSignature: "key certificate signature does not verify"
        case .expired(let time): "key certificate expired at \(time)"
        }
    }
}
