import CSodium

/// BLAKE2b digests, used e.g. to store only a hash of one-time zenka session keys (docs/protocol.md §3.3).
package enum KeyDigest {
    /// Computes an unkeyed BLAKE2b digest (`crypto_generichash`).
    /// - Parameters:
    ///   - bytes: the input.
    ///   - length: the digest length in bytes, 16...64 (default 32, i.e. BLAKE2b-256).
    /// - Returns: `length` digest bytes.
    /// - Precondition: `length` lies in 16...64; other lengths are a programming error.
    package static func blake2b(_ bytes: [UInt8], length: Int = 32) -> [UInt8] {
        Sodium.initialize()
        precondition(length >= Int(crypto_generichash_BYTES_MIN) && length <= Int(crypto_generichash_BYTES_MAX),
                     "BLAKE2b digest length must be 16...64, got \(length)")
        var output = [UInt8](repeating: 0, count: length)
        let result = bytes.withUnsafeBufferPointer { input in
            crypto_generichash(&output, length, input.baseAddress, UInt64(input.count), nil, 0)
        }
        // crypto_generichash only fails for out-of-range lengths, which the precondition excludes.
        precondition(result == 0, "crypto_generichash failed")
        return output
    }
}
