import CSodium

/// A fixed-size secret held outside Swift's copy-on-write arrays, so that exactly one copy
/// exists and it is overwritten with `sodium_memzero` when the last reference goes.
///
/// Immutable after ``init(count:fill:)``; that is what makes the unchecked `Sendable` sound.
final class SecretBytes: @unchecked Sendable {
    /// The secret's storage; written only by the initialiser and wiped by `deinit`.
    private let base: UnsafeMutablePointer<UInt8>
    /// The secret's length in bytes.
    let count: Int

    /// Allocates `count` zeroed bytes and lets `fill` write them.
    /// - Parameters:
    ///   - count: the secret's length.
    ///   - fill: writes the secret.
    init(count: Int, fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        Sodium.initialize()
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
        fill(base)
    }

    /// Copies `bytes` into a new secret. The caller should wipe its own copy afterwards.
    convenience init(copying bytes: [UInt8]) {
        self.init(count: bytes.count) { base in
            for (index, byte) in bytes.enumerated() { base[index] = byte }
        }
    }

    deinit {
        sodium_memzero(base, max(count, 1))
        base.deallocate()
    }

    /// Lends the secret read-only.
    func withUnsafeBytes<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafePointer(base))
    }

    /// A copy as an array; it is then the caller's to wipe.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
