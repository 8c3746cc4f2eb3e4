import CubeAuth
import Foundation

/// Deterministic keys and helpers shared by the CubeAuth tests.
enum TestSupport {
    /// The server's 32-byte banner.
    static let banner = Array("\\\\PROTOCOL-7-VERSION\\\\NZXZDSA\\\\\n".utf8)

    /// A deterministic identity from a one-byte seed.
    static func identity(_ seed: UInt8) -> IdentityKey {
        guard let key = IdentityKey(seed: [UInt8](repeating: seed, count: 32)) else {
            fatalError("seeded identity")
        }
        return key
    }

    /// A deterministic ephemeral key pair from a one-byte seed.
    static func ephemeral(_ seed: UInt8) -> X25519KeyPair {
        guard let pair = X25519KeyPair(seed: [UInt8](repeating: seed, count: 32)) else {
            fatalError("seeded ephemeral")
        }
        return pair
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "cubeauth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// The permission bits of a file.
    static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Sets the permission bits of a file.
    static func setMode(_ mode: Int, of path: String) throws {
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path)
    }
}

/// SplitMix64: a small seeded generator so that fuzz runs are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
