/// The quota rule of the `storage` zenka: the sum of all blob sizes never exceeds ``limit``.
public struct StorageQuota: Sendable, Equatable {
    /// The most bytes all blobs together may hold.
    public var limit: Int

    /// A quota of `limit` bytes.
    /// - Parameter limit: bytes, at least 0.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// Whether a blob of `newSize` bytes fits, replacing one of `replacedSize` bytes (0 if new).
    /// - Parameters:
    ///   - newSize: the size of the blob to store.
    ///   - replacedSize: the size of the blob it replaces, 0 for a new name.
    ///   - used: the bytes all blobs hold now (including the replaced one).
    /// - Returns: true if the result stays within the limit.
    public func allows(newSize: Int, replacing replacedSize: Int = 0, used: Int) -> Bool {
        newSize >= 0 && used - replacedSize + newSize <= limit
    }

    /// The bytes still free when `used` bytes are taken (never negative).
    /// - Parameter used: the bytes in use.
    /// - Returns: the free bytes.
    public func free(used: Int) -> Int { max(0, limit - used) }
}
