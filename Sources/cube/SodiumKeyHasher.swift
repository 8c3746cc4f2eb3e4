import CubeAuth
import CubeCore

/// Digests one-time zenka keys with BLAKE2b (only digests are kept in memory).
struct SodiumKeyHasher: KeyHasher {
    func digest(_ key: [UInt8]) -> [UInt8] { KeyDigest.blake2b(key) }
}
