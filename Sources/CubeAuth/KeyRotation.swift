import CubeCore

/// A node's announcement of its next identity key, signed by the current one (docs/security.md,
/// "Node key rotation"). A client that pinned `old` accepts `new` on this proof for
/// ``graceSeconds`` after `issued`; after that only an edited known-nodes file helps.
///
/// Text form, one line: `<old-key> <new-key> <issued> <signature>`; the signature is the old
/// key's Ed25519 over `"protocol-7 key rotation v1\n<old-key> <new-key> <issued>\n"`.
package struct KeyRotation: Sendable, Equatable {
    /// How long after `issued` a pinned client accepts the rotation: 30 days.
    package static let graceSeconds: Int64 = 30 * 86_400

    /// How long after `issued` a client that followed the rotation still accepts the retired
    /// key: one day, the default of the nodes' `auth.c25519.rotation.grace`.
    package static let retiredGraceSeconds: Int64 = NodeKeyRotations.defaultRetiredGraceSeconds

    /// The key being retired.
    package let old: PublicKey
    /// The key that replaces it.
    package let new: PublicKey
    /// When it was made, unix seconds.
    package let issued: Int64
    /// The old key's signature.
    package let signature: [UInt8]

    /// Signs the move from `old`'s key to `new`.
    package static func issue(from old: IdentityKey, to new: PublicKey, issued: Int64) -> KeyRotation {
        KeyRotation(old: old.publicKey, new: new, issued: issued,
                    signature: old.sign(signedBytes(old: old.publicKey, new: new, issued: issued)))
    }

    private init(old: PublicKey, new: PublicKey, issued: Int64, signature: [UInt8]) {
        self.old = old
        self.new = new
        self.issued = issued
        self.signature = signature
    }

    /// Parses the text form strictly (no signature check; see ``verify(pinned:presented:now:)``).
    package init?(text: String) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, let old = PublicKey(base32: fields[0]), let new = PublicKey(base32: fields[1]),
              let issued = Int64(fields[2]), issued >= 0, String(issued) == fields[2],
              let signature = Base32.decode(fields[3]), signature.count == 64, Base32.encode(signature) == fields[3]
        else { return nil }
        self.init(old: old, new: new, issued: issued, signature: signature)
    }

    /// The one-line text form.
    package var text: String { "\(old) \(new) \(issued) \(Base32.encode(signature))" }

    /// Whether a client that pinned `pinned` may now trust `presented` on this proof.
    /// - Returns: nil when it may, else why not.
    package func verify(pinned: PublicKey, presented: PublicKey, now: Int64) -> String? {
        guard old == pinned else { return "the rotation is from \(old), not from the pinned key" }
        guard new == presented else { return "the rotation is to \(new), not to the key the node presented" }
        guard pinned.verify(signature, of: Self.signedBytes(old: old, new: new, issued: issued)) else {
            return "the rotation's signature does not verify"
        }
        guard now - issued <= Self.graceSeconds else {
            return "the rotation was issued at \(issued), more than \(Self.graceSeconds / 86_400) days ago"
        }
        return nil
    }

    /// Reads a statement file (its first line, as `cube keygen --rotate` writes it).
    /// - Throws: ``AuthError`` (`.fileSystem`, or `.malformed`).
    package static func read(from path: String) throws(AuthError) -> KeyRotation {
        let text = try KeyListLines.read(path, kind: "key rotation \(path)")
        guard let line = text.split(separator: "\n").first, let rotation = KeyRotation(text: String(line)) else {
            throw AuthError(.malformed, function: "key rotation \(path)", detail: "expected '<old-key> <new-key> <issued> <signature>'")
        }
        return rotation
    }

    static func signedBytes(old: PublicKey, new: PublicKey, issued: Int64) -> [UInt8] {
        NodeKeyRotation.signedBytes(old: old.description, new: new.description, issued: issued)
    }
}
