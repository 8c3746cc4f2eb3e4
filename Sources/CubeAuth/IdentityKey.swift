import CSodium

/// An Ed25519 identity key pair: a node's or a remote user's long-term key (docs/protocol.md §3.5).
///
/// The 64-byte libsodium secret key (seed ‖ public key) lives in one private allocation that
/// is zeroed with `sodium_memzero` when the last copy of the value goes away.
public struct IdentityKey: Sendable {
    /// The length of the libsodium secret key in bytes (seed ‖ public key).
    public static let secretKeyByteCount = 64
    /// The length of a seed in bytes.
    public static let seedByteCount = 32

    /// The secret key, shared by all copies of this value.
    private let secret: SecretBytes
    /// The public half.
    public let publicKey: PublicKey

    /// Wraps a verified secret and its public key.
    private init(secret: SecretBytes, publicKey: PublicKey) {
        self.secret = secret
        self.publicKey = publicKey
    }

    /// Generates a fresh random identity.
    /// - Returns: the new key pair.
    public static func generate() -> IdentityKey {
        var seed = SecureRandom.bytes(seedByteCount)
        defer { Memory.wipe(&seed) }
        // A 32-byte seed always yields a key pair.
        guard let key = IdentityKey(seed: seed) else { preconditionFailure("crypto_sign_seed_keypair failed") }
        return key
    }

    /// Derives an identity deterministically from a 32-byte seed (for tests and reproducible keys).
    /// - Parameter seed: 32 secret bytes; the caller should wipe its copy.
    /// - Returns: nil if the seed has the wrong length.
    public init?(seed: [UInt8]) {
        guard seed.count == Self.seedByteCount else { return nil }
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        let secret = SecretBytes(count: Self.secretKeyByteCount) { base in
            _ = crypto_sign_seed_keypair(&publicBytes, base, seed)
        }
        guard let publicKey = PublicKey(bytes: publicBytes) else { return nil }
        self.init(secret: secret, publicKey: publicKey)
    }

    /// Restores an identity from its 64-byte libsodium secret key (seed ‖ public key).
    ///
    /// The public half is recomputed from the seed and must equal the stored one, so a
    /// corrupted or spliced key is refused rather than producing invalid signatures.
    /// - Parameter secretKey: the 64 bytes; the caller should wipe its copy.
    /// - Returns: nil for a wrong length or an inconsistent public half.
    public init?(secretKey: [UInt8]) {
        guard secretKey.count == Self.secretKeyByteCount else { return nil }
        var seed = Array(secretKey.prefix(Self.seedByteCount))
        defer { Memory.wipe(&seed) }
        guard let key = IdentityKey(seed: seed),
              key.publicKey.bytes[...] == secretKey.suffix(PublicKey.byteCount) else { return nil }
        self = key
    }

    /// Signs a message (Ed25519, detached).
    /// - Parameter message: the bytes to sign.
    /// - Returns: the 64-byte signature.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_bytes()))
        let result = message.withNonNullPointer { pointer, count in
            secret.withUnsafeBytes { key in
                crypto_sign_detached(&signature, nil, pointer, UInt64(count), key)
            }
        }
        // crypto_sign_detached cannot fail for a well-formed key.
        precondition(result == 0, "crypto_sign_detached failed")
        return signature
    }

    /// Lends the 64-byte secret key (for writing the key file).
    func withSecretKey<R>(_ body: ([UInt8]) throws -> R) rethrows -> R {
        var copy = secret.bytes
        defer { Memory.wipe(&copy) }
        return try body(copy)
    }
}
