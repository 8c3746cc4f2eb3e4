import CSodium

/// Cryptographically secure randomness from libsodium (`randombytes_*`).
package enum SecureRandom {
    /// The alphabet of session keys: `[0-9A-Za-z]`.
    private static let keyAlphabet: [Character] =
        Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Length of a zenka session key in characters (about 262 bits of entropy).
    package static let sessionKeyLength = 44

    /// Returns `count` random bytes.
    /// - Parameter count: the number of bytes (0 or more).
    /// - Returns: the random bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        Sodium.initialize()
        var output = [UInt8](repeating: 0, count: max(0, count))
        output.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return output
    }

    /// Returns a uniformly random 64-bit value.
    package static func uint64() -> UInt64 {
        Sodium.initialize()
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return value
    }

    /// Returns a new one-time zenka session key: 44 characters drawn uniformly from `[0-9A-Za-z]`.
    ///
    /// `randombytes_uniform` avoids the modulo bias of reducing random bytes by 62.
    package static func sessionKey() -> String {
        Sodium.initialize()
        var key = ""
        key.reserveCapacity(sessionKeyLength)
        for _ in 0..<sessionKeyLength {
            key.append(keyAlphabet[Int(randombytes_uniform(UInt32(keyAlphabet.count)))])
        }
        return key
    }
}
