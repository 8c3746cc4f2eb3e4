import CSodium

/// The two symmetric keys of an encrypted session, from `crypto_kx` over the ephemeral keys.
///
/// `tx` encrypts what this side sends, `rx` decrypts what it receives; the client's `tx`
/// equals the server's `rx` and vice versa. Both are zeroed when the last copy goes away
/// (the arrays returned by ``rx`` and ``tx`` are copies, the caller's to wipe).
package struct SessionKeys: Sendable {
    /// The key length in bytes (32, a `crypto_secretstream` key).
    package static let byteCount = 32

    /// `rx ‖ tx`.
    private let storage: SecretBytes

    /// Derives the keys; `derive` is `crypto_kx_client_session_keys` or `…_server_…`
    /// with its `rx` and `tx` output pointers. Returns nil if libsodium refuses
    /// (the peer's ephemeral key is of small order).
    init?(derive: (_ rx: UnsafeMutablePointer<UInt8>, _ tx: UnsafeMutablePointer<UInt8>) -> Int32) {
        var result: Int32 = -1
        storage = SecretBytes(count: 2 * Self.byteCount) { base in
            result = derive(base, base + Self.byteCount)
        }
        guard result == 0 else { return nil }
    }

    /// The key for decrypting what the peer sends (a copy).
    package var rx: [UInt8] { storage.withUnsafeBytes { Array(UnsafeBufferPointer(start: $0, count: Self.byteCount)) } }

    /// The key for encrypting what this side sends (a copy).
    package var tx: [UInt8] {
        storage.withUnsafeBytes { Array(UnsafeBufferPointer(start: $0 + Self.byteCount, count: Self.byteCount)) }
    }

    /// Derives the client's keys (`crypto_kx_client_session_keys`).
    static func client(own: X25519KeyPair, serverPublic: [UInt8]) -> SessionKeys? {
        guard serverPublic.count == X25519KeyPair.byteCount else { return nil }
        return own.secret.withUnsafeBytes { secret in
            SessionKeys { rx, tx in
                crypto_kx_client_session_keys(rx, tx, own.publicKey, secret, serverPublic)
            }
        }
    }

    /// Derives the server's keys (`crypto_kx_server_session_keys`).
    static func server(own: X25519KeyPair, clientPublic: [UInt8]) -> SessionKeys? {
        guard clientPublic.count == X25519KeyPair.byteCount else { return nil }
        return own.secret.withUnsafeBytes { secret in
            SessionKeys { rx, tx in
                crypto_kx_server_session_keys(rx, tx, own.publicKey, secret, clientPublic)
            }
        }
    }
}
