/// The grammar of user names in keys lists and certificates, that of docs/protocol.md §3.1:
/// `[0-9A-Za-z][0-9A-Za-z_-]{0,16}`.
package enum UserName {
    /// Whether `name` is a valid user name.
    /// - Parameter name: the candidate.
    /// - Returns: true if it matches `[0-9A-Za-z][0-9A-Za-z_-]{0,16}`.
    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 17, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `[0-9A-Za-z]`.
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: false
        }
    }
}
