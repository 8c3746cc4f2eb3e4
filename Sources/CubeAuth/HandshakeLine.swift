import CubeCore

/// The lines of a `c25519` handshake, parsed strictly: single spaces, canonical base32,
/// valid keys. Input may end in LF or CR LF and may carry the `auth.` prefix of pre-auth lines.
enum HandshakeLine: Equatable {
    /// `hello <identity> <ephemeral>` (client → server).
    case hello(identity: PublicKey, ephemeral: [UInt8])
    /// `TRUE <identity> <ephemeral> <signature>` (server → client).
    case serverHello(identity: PublicKey, ephemeral: [UInt8], signature: [UInt8])
    /// `auth <signature>` (client → server).
    case auth(signature: [UInt8])
    /// `AUTH_TRUE =)` (server → client).
    case authTrue
    /// A refusal from the server: `FALSE …`, ``AUTH_ERROR `>:|``, `>:[` or `>;|…`; the first word.
    case refusal(String)

    /// The length of a base32 signature.
    static let signatureLength = 103
    /// The length of a base32 32-byte key.
    static let keyLength = 52

    /// Parses one line.
    /// - Returns: the line, or the reason it is malformed.
    static func parse(_ raw: [UInt8]) -> Result<HandshakeLine, HandshakeFailure> {
        var line = raw[...]
        if line.last == UInt8(ascii: "\n") { line = line.dropLast() }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        if line.starts(with: "auth.".utf8) { line = line.dropFirst(5) }
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard let word = fields.first else { return .failure(.malformed("empty line")) }
        switch String(decoding: word, as: UTF8.self) {
        case "hello":
            guard fields.count == 3 else { return .failure(.malformed("hello needs 2 fields")) }
            guard let identity = identity(fields[1]) else { return .failure(.malformed("bad identity key")) }
            guard let ephemeral = ephemeral(fields[2]) else { return .failure(.malformed("bad ephemeral key")) }
            return .success(.hello(identity: identity, ephemeral: ephemeral))
        case "TRUE":
            guard fields.count == 4 else { return .failure(.malformed("TRUE needs 3 fields")) }
            guard let identity = identity(fields[1]) else { return .failure(.malformed("bad identity key")) }
            guard let ephemeral = ephemeral(fields[2]) else { return .failure(.malformed("bad ephemeral key")) }
            guard let signature = signature(fields[3]) else { return .failure(.malformed("bad signature")) }
            return .success(.serverHello(identity: identity, ephemeral: ephemeral, signature: signature))
        case "auth":
            guard fields.count == 2 else { return .failure(.malformed("auth needs 1 field")) }
            guard let signature = signature(fields[1]) else { return .failure(.malformed("bad signature")) }
            return .success(.auth(signature: signature))
        case "AUTH_TRUE" where fields.count == 2 && fields[1].elementsEqual("=)".utf8):
            return .success(.authTrue)
        case "FALSE", "AUTH_ERROR", ">:[", ">;|", ">:|":
            return .success(.refusal(String(decoding: word, as: UTF8.self)))
        default:
            return .failure(.malformed("unknown handshake line"))
        }
    }

    /// A base32 Ed25519 identity key.
    private static func identity(_ field: ArraySlice<UInt8>) -> PublicKey? {
        guard field.count == keyLength, let bytes = Base32.decode(utf8: field) else { return nil }
        return PublicKey(bytes: bytes)
    }

    /// A base32 X25519 ephemeral key (any 32 bytes; small order is caught by `crypto_kx`).
    private static func ephemeral(_ field: ArraySlice<UInt8>) -> [UInt8]? {
        guard field.count == keyLength, let bytes = Base32.decode(utf8: field) else { return nil }
        return bytes
    }

    /// A base32 64-byte Ed25519 signature.
    private static func signature(_ field: ArraySlice<UInt8>) -> [UInt8]? {
        guard field.count == signatureLength else { return nil }
        return Base32.decode(utf8: field)
    }
}
