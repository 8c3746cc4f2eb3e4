import CubeCore

/// A stand-in for Ed25519 in topology tests: the "signature" is a 64-bit FNV-1a hash of the
/// signer's key and the bytes. Anyone could forge it, but it catches every tampered field and
/// every signature made with another key, which is all the database has to react to.
enum ToyMAC {
    static func mac(key: String, bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in Array(key.utf8) + [0] + bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: hash >> (56 - 8 * $0)) }
    }

    /// A deterministic, valid 52-character base32 key for a node name.
    static func key(for name: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let body = name.utf8.map { alphabet[Int($0 % 32)] }
        return String(body + Array(repeating: "A", count: 52 - body.count))
    }
}

struct ToySigner: AdvertSigner {
    let publicKey: String
    func sign(_ bytes: [UInt8]) -> [UInt8] { ToyMAC.mac(key: publicKey, bytes: bytes) }
}

struct ToyVerifier: AdvertVerifier {
    func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool {
        signature == ToyMAC.mac(key: key, bytes: bytes)
    }
}

/// ``ToySigner`` with the toy MAC repeated to 64 bytes, the length of an Ed25519 signature:
/// records whose text form insists on it (revocations, rotation proofs) parse and verify.
struct WideToySigner: AdvertSigner {
    let publicKey: String
    func sign(_ bytes: [UInt8]) -> [UInt8] { WideToyVerifier.mac(key: publicKey, bytes: bytes) }
}

/// Checks ``WideToySigner``'s signatures.
struct WideToyVerifier: AdvertVerifier {
    static func mac(key: String, bytes: [UInt8]) -> [UInt8] {
        Array(repeatElement(ToyMAC.mac(key: key, bytes: bytes), count: 8).joined())
    }

    func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool {
        signature == Self.mac(key: key, bytes: bytes)
    }
}
