import CubeCore

/// The bytes both sides of a `c25519` handshake hash and sign (docs/protocol.md §3.5).
///
/// Exactly these bytes, in this order, each line ending in one LF:
///
/// ```
/// T0 = banner ‖ "select c25519\n" ‖ "TRUE continue\n" ‖ "hello <C> <Ce>\n"
/// server signature = Ed25519_S( BLAKE2b-256( T0 ‖ "TRUE <S> <Se>" ) )
/// T1 = T0 ‖ "TRUE <S> <Se> <server-sig>\n"
/// client signature = Ed25519_C( BLAKE2b-256( T1 ‖ "auth" ) )
/// ```
///
/// `C`, `S` are the base32 Ed25519 identities, `Ce`, `Se` the base32 X25519 ephemeral keys.
/// Each signature covers the transcript so far plus its own line up to (not including) the
/// space before the signature, so the two signatures can never be swapped. `banner` is the
/// server's 32-byte version line: one trailing LF (or CR LF) is removed and one LF added, so
/// callers may pass it with or without its terminator. The lines are hashed in their
/// canonical form: what was sent as `auth.select c25519\r` counts as `select c25519\n`.
struct HandshakeTranscript: Sendable {
    /// The transcript so far.
    private(set) var bytes: [UInt8]

    /// Starts a transcript: the banner, `select c25519` and `TRUE continue`.
    init(banner: [UInt8]) {
        var line = banner[...]
        if line.last == UInt8(ascii: "\n") { line = line.dropLast() }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        bytes = Array(line)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: "select c25519\nTRUE continue\n".utf8)
    }

    /// Appends a line; the LF is added here.
    mutating func append(line: [UInt8]) {
        bytes.append(contentsOf: line)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// The BLAKE2b-256 hash of the transcript followed by `prefix` (the signer's own line up
    /// to its signature), which is what gets signed.
    func digest(signing prefix: [UInt8]) -> [UInt8] {
        KeyDigest.blake2b(bytes + prefix)
    }

    /// The hello line `hello <identity> <ephemeral>` (without LF).
    static func helloLine(identity: PublicKey, ephemeral: [UInt8]) -> [UInt8] {
        Array("hello \(identity) \(Base32.encode(ephemeral))".utf8)
    }

    /// The server line's signed prefix `TRUE <identity> <ephemeral>` (without LF).
    static func serverPrefix(identity: PublicKey, ephemeral: [UInt8]) -> [UInt8] {
        Array("TRUE \(identity) \(Base32.encode(ephemeral))".utf8)
    }

    /// The client's signed prefix, the word `auth`.
    static let authPrefix: [UInt8] = Array("auth".utf8)
}
