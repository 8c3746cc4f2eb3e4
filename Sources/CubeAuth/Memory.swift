import CSodium

/// Secret hygiene helpers.
package enum Memory {
    /// Overwrites every byte of `bytes` with zero, in a way the optimiser may not remove
    /// (`sodium_memzero`). The array keeps its length.
    ///
    /// Only the array's current storage is wiped: copies made earlier (Swift arrays are
    /// copy-on-write) are not reached, so wipe before handing secrets around.
    /// - Parameter bytes: the secret to wipe.
    package static func wipe(_ bytes: inout [UInt8]) {
        Sodium.initialize()
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}
