/// Names of the `storage` zenka's blobs: `[A-Za-z0-9._-]{1,64}`, not starting with `.`.
///
/// The character set keeps names inside the storage directory (no `/`); refusing a leading
/// dot also refuses `.` and `..` and keeps the store's own temporary files (`.tmp-…`) apart.
public enum BlobName {
    /// The longest name in bytes.
    public static let maximumLength = 64

    /// Whether `name` may name a blob.
    /// - Parameter name: the candidate.
    /// - Returns: true if it is 1–64 characters of `[A-Za-z0-9._-]` and does not start with `.`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maximumLength).contains(bytes.count), bytes.first != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
