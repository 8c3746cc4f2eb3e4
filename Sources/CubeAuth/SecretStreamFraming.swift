import CSodium

/// Constants of the encrypted framing after a `c25519` login (docs/protocol.md §3.5): a 24-byte
/// `crypto_secretstream_xchacha20poly1305` header, then frames of `u32 big-endian length ‖
/// ciphertext`, each carrying at most 64 KiB of plaintext.
package enum SecretStreamFraming {
    /// The most plaintext one frame carries.
    package static let maximumPlaintext = 64 * 1024
    /// The stream header length (24).
    package static var headerByteCount: Int { Int(crypto_secretstream_xchacha20poly1305_headerbytes()) }
    /// The ciphertext overhead per frame (17: tag byte and MAC).
    package static var overhead: Int { Int(crypto_secretstream_xchacha20poly1305_abytes()) }
    /// The largest frame length a receiver accepts.
    package static var maximumCiphertext: Int { maximumPlaintext + overhead }
    /// The key length (32).
    package static var keyByteCount: Int { Int(crypto_secretstream_xchacha20poly1305_keybytes()) }
}

/// The libsodium stream state, zeroed when dropped. Only ever used under a `Mutex`.
final class SecretStreamState {
    /// The C state (key and nonce).
    var raw = crypto_secretstream_xchacha20poly1305_state()

    deinit {
        withUnsafeMutableBytes(of: &raw) { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}
