import CSodium

/// An ephemeral X25519 key pair for `crypto_kx`, used for one handshake only (forward secrecy).
///
/// The secret half is zeroed when the last copy goes away.
package struct X25519KeyPair: Sendable {
    /// The length of each half in bytes.
    package static let byteCount = 32

    /// The 32-byte public key, sent in the `hello` / `TRUE` lines.
    package let publicKey: [UInt8]
    /// The secret half.
    let secret: SecretBytes

    /// Generates a fresh random key pair.
    /// - Returns: the key pair.
    package static func generate() -> X25519KeyPair {
        var seed = SecureRandom.bytes(Int(crypto_kx_seedbytes()))
        defer { Memory.wipe(&seed) }
        guard let pair = X25519KeyPair(seed: seed) else { preconditionFailure("crypto_kx_seed_keypair failed") }
        return pair
    }

    /// Derives a key pair deterministically from a 32-byte seed (`crypto_kx_seed_keypair`);
    /// tests use it to make handshakes reproducible.
    /// - Parameter seed: 32 bytes.
    /// - Returns: nil if the seed has the wrong length.
    package init?(seed: [UInt8]) {
        Sodium.initialize()
        guard seed.count == Int(crypto_kx_seedbytes()) else { return nil }
        var publicBytes = [UInt8](repeating: 0, count: Self.byteCount)
        var result: Int32 = -1
        secret = SecretBytes(count: Int(crypto_kx_secretkeybytes())) { base in
            result = crypto_kx_seed_keypair(&publicBytes, base, seed)
        }
        guard result == 0 else { return nil }
        publicKey = publicBytes
    }
}
