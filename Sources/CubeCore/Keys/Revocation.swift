/// One signed revocation (docs/security.md, "Revocation"): the node whose key is `signer`
/// declares at `issued` that a client key, or one key certificate, must no longer log in.
///
/// Text form, one line (the `revocations` file, the `revocations` link record):
/// `<target> <issued> <signer-key> <signature>`, where `<target>` is `key:<base32 key>` or
/// `cert:<certificate id>` (26 base32 characters, `cube cert show`), `issued` decimal unix
/// seconds, the signature base32. The signature is Ed25519 over
/// `"protocol-7 revocation v1\n<target> <issued>\n"`; the domain prefix keeps it from being
/// valid as a certificate, advert or handshake signature. CubeCore holds no cryptography:
/// signing and checking go through ``AdvertSigner`` / ``AdvertVerifier`` like adverts.
package struct Revocation: Equatable, Sendable {
    /// The longest text form accepted, in bytes (a real one is about 240).
    package static let maximumLineBytes = 512

    /// `key:<base32>` or `cert:<id>`.
    package let target: String
    /// When it was issued, unix seconds.
    package let issued: Int64
    /// The signing node's public key, base32.
    package let signer: String
    /// The signature bytes.
    package let signature: [UInt8]

    /// An entry from its parts (signed by the caller).
    package init(target: String, issued: Int64, signer: String, signature: [UInt8]) {
        self.target = target
        self.issued = issued
        self.signer = signer
        self.signature = signature
    }

    /// A new entry for `target`, signed by `signer`.
    /// - Precondition: `target` is well-formed (``target(forArgument:)``).
    package static func issue(target: String, issued: Int64, by signer: some AdvertSigner) -> Revocation {
        Revocation(target: target, issued: issued, signer: signer.publicKey,
                   signature: signer.sign(signedBytes(target: target, issued: issued)))
    }

    /// The target a `revoke` argument names: a 52-character base32 key or a 26-character
    /// certificate id (canonical base32 of 32 and 16 bytes), nil for anything else.
    package static func target(forArgument text: String) -> String? {
        guard let bytes = Base32.decode(utf8: text.utf8), Base32.encode(bytes) == text else { return nil }
        switch bytes.count {
        case 32: return "key:" + text
        case 16: return "cert:" + text
        default: return nil
        }
    }

    /// Parses the one-line text form strictly (single spaces, canonical numbers and base32).
    package init?(text: some StringProtocol) {
        guard text.utf8.count <= Self.maximumLineBytes else { return nil }
        let fields = String(text).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, let colon = fields[0].firstIndex(of: ":"),
              Self.target(forArgument: String(fields[0][fields[0].index(after: colon)...])) == fields[0],
              let issued = Int64(fields[1]), issued >= 0, String(issued) == fields[1],
              let signerBytes = Base32.decode(utf8: fields[2].utf8), signerBytes.count == 32,
              Base32.encode(signerBytes) == fields[2],
              let signature = Base32.decode(utf8: fields[3].utf8), signature.count == 64,
              Base32.encode(signature) == fields[3]
        else { return nil }
        self.init(target: fields[0], issued: issued, signer: fields[2], signature: signature)
    }

    /// The one-line text form.
    package var text: String { "\(target) \(issued) \(signer) \(Base32.encode(signature))" }

    /// Whether the signature is the signer's over ``signedBytes(target:issued:)``.
    package func verify(with verifier: some AdvertVerifier) -> Bool {
        verifier.verify(signature, of: Self.signedBytes(target: target, issued: issued), by: signer)
    }

    /// The bytes a revocation's signer signs.
    package static func signedBytes(target: String, issued: Int64) -> [UInt8] {
        Array("protocol-7 revocation v1\n\(target) \(issued)\n".utf8)
    }
}
