import CSodium
import CubeCore

/// An Ed25519 public identity key (32 bytes), written as 52 characters of base32.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The key length in bytes.
    public static let byteCount = 32

    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Creates a key from raw bytes.
    /// - Parameter bytes: 32 bytes forming a valid Ed25519 point of large order.
    /// - Returns: nil for a wrong length, an invalid point or a small-order point.
    public init?(bytes: [UInt8]) {
        Sodium.initialize()
        guard bytes.count == Self.byteCount,
              crypto_core_ed25519_is_valid_point(bytes) == 1 else { return nil }
        self.bytes = bytes
    }

    /// Parses the 52-character base32 form.
    /// - Parameter base32: the text, strictly canonical (see ``Base32/decode(_:)``).
    /// - Returns: nil if it is not the base32 form of a valid key.
    public init?(base32: String) {
        guard let bytes = Base32.decode(base32) else { return nil }
        self.init(bytes: bytes)
    }

    /// The 52-character base32 form.
    public var description: String { Base32.encode(bytes) }

    /// Verifies an Ed25519 signature made by this key's owner.
    /// - Parameters:
    ///   - signature: the 64-byte detached signature.
    ///   - message: the signed bytes.
    /// - Returns: true only if the signature is valid for `message`.
    public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        Sodium.initialize()
        guard signature.count == Int(crypto_sign_bytes()) else { return false }
        return message.withNonNullPointer { pointer, count in
            crypto_sign_verify_detached(signature, pointer, UInt64(count), bytes) == 0
        }
    }
}
