/// One node's announcement of its next identity key, signed by the current one (docs/security.md,
/// "Node key rotation"), as links and adverts need it: keys as base32 text, the signature
/// checked through an ``AdvertVerifier`` (CubeCore holds no cryptography).
///
/// Text form, one line: `<old-key> <new-key> <issued> <signature>`; the signature is the old
/// key's Ed25519 over `"protocol-7 key rotation v1\n<old-key> <new-key> <issued>\n"`, the same
/// statement `cube keygen --rotate` writes and pinned clients check.
package struct NodeKeyRotation: Equatable, Sendable {
    /// How long after `issued` the proof is accepted: 30 days.
    package static let graceSeconds: Int64 = 30 * 86_400
    /// The longest text form accepted, in bytes (a real one is about 230).
    package static let maximumLineBytes = 512

    /// The key being retired, base32.
    package let old: String
    /// The key that replaces it, base32.
    package let new: String
    /// When it was made, unix seconds.
    package let issued: Int64
    /// The old key's signature.
    package let signature: [UInt8]

    /// A proof from its parts (signed by the caller).
    package init(old: String, new: String, issued: Int64, signature: [UInt8]) {
        self.old = old
        self.new = new
        self.issued = issued
        self.signature = signature
    }

    /// Signs the move from `signer`'s key to `new`.
    package static func issue(by signer: some AdvertSigner, to new: String, issued: Int64) -> NodeKeyRotation {
        NodeKeyRotation(old: signer.publicKey, new: new, issued: issued,
                        signature: signer.sign(signedBytes(old: signer.publicKey, new: new, issued: issued)))
    }

    /// Parses the one-line text form strictly (canonical base32 and numbers, no signature check).
    package init?(text: some StringProtocol) {
        guard text.utf8.count <= Self.maximumLineBytes else { return nil }
        let fields = String(text).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, Self.isKey(fields[0]), Self.isKey(fields[1]), fields[0] != fields[1],
              let issued = Int64(fields[2]), issued >= 0, String(issued) == fields[2],
              let signature = Base32.decode(utf8: fields[3].utf8), signature.count == 64,
              Base32.encode(signature) == fields[3]
        else { return nil }
        self.init(old: fields[0], new: fields[1], issued: issued, signature: signature)
    }

    /// The one-line text form.
    package var text: String { "\(old) \(new) \(issued) \(Base32.encode(signature))" }

    /// Why the proof may not be used now (bad signature, or outside the grace period), or nil.
    package func problem(with verifier: some AdvertVerifier, now: Int64) -> String? {
        guard verifier.verify(signature, of: Self.signedBytes(old: old, new: new, issued: issued), by: old) else {
            return "the rotation's signature does not verify"
        }
        guard now - issued <= Self.graceSeconds else {
            return "the rotation was issued at \(issued), more than \(Self.graceSeconds / 86_400) days ago"
        }
        return nil
    }

    /// The bytes the old key signs.
    package static func signedBytes(old: String, new: String, issued: Int64) -> [UInt8] {
        Array("protocol-7 key rotation v1\n\(old) \(new) \(issued)\n".utf8)
    }

    private static func isKey(_ text: String) -> Bool {
        guard let bytes = Base32.decode(utf8: text.utf8) else { return false }
        return bytes.count == 32 && Base32.encode(bytes) == text
    }
}
