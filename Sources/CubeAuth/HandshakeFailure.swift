/// Why a `c25519` handshake failed (``ServerHandshake`` / ``ClientHandshake``).
///
/// Descriptions never echo the peer's bytes, so they are safe to log.
package enum HandshakeFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line of the wrong shape: wrong word, field count, spacing, base32 or key.
    case malformed(String)
    /// A well-formed line at the wrong point of the handshake (e.g. `auth` before `hello`).
    case unexpectedLine(String)
    /// A second `hello` on the same connection (a replay or a confused client).
    case duplicateHello
    /// A signature that does not verify over this connection's transcript
    /// (tampering, or a line replayed from another connection).
    case badSignature
    /// The peer's ephemeral X25519 key is unusable (small order); `crypto_kx` refused it.
    case invalidEphemeralKey
    /// The server's identity differs from the pinned one (known-nodes file).
    case serverKeyChanged(expected: PublicKey, got: PublicKey)
    /// The server refused: it answered `FALSE …`, ``AUTH_ERROR `>:|`` or `>:[` (the word is kept).
    case rejected(String)
    /// Input arrived after the handshake had already succeeded or failed.
    case finished

    /// The line the server sends before closing (docs/protocol.md §3): `>:[⏎` for a line of the
    /// wrong shape or order, ``AUTH_ERROR `>:|⏎`` for credentials that do not hold.
    package var serverReply: [UInt8] {
        switch self {
        case .malformed, .unexpectedLine, .duplicateHello, .finished: Array(">:[\n".utf8)
        case .badSignature, .invalidEphemeralKey, .serverKeyChanged, .rejected: Array("AUTH_ERROR `>:|\n".utf8)
        }
    }

    /// A one-line human-readable description.
    package var description: String {
        switch self {
        case .malformed(let what): "malformed handshake line: \(what)"
        case .unexpectedLine(let what): "handshake line out of order: \(what)"
        case .duplicateHello: "duplicate hello"
        case .badSignature: "handshake signature does not verify"
        case .invalidEphemeralKey: "unusable ephemeral key"
        case .serverKeyChanged(let expected, let got):
            "server key changed: expected \(expected), got \(got); refusing to connect"
        case .rejected(let word): "server refused the login (\(word))"
        case .finished: "handshake already finished"
        }
    }
}
