/// A scoped trusted signer (`auth.c25519.signer.<label>.key|names|max-days`, docs/security.md
/// "Scoped signers"): a node key whose key certificates log users in here, limited to some
/// names and to a longest validity. The key is checked when the daemon loads it.
package struct SignerSetup: Equatable, Sendable {
    /// The label in the configuration keys (for messages only).
    package let label: String
    /// The signer's base32 public key (`.key`); required.
    package var key: String?
    /// Glob patterns of the names it may certify (`.names`); a name with its own access rule
    /// must be listed literally. Empty: no name at all.
    package var names: [String] = []
    /// The longest validity, in days, a certificate of it may still have when presented
    /// (`.max-days`, 1...3650); nil: no bound beyond the certificate's.
    package var maximumDays: Int?

    /// An entry with nothing set yet.
    package init(label: String) { self.label = label }

    /// Sets one field from `auth.c25519.signer.<label>.<field> = value`.
    /// - Returns: a problem for the configuration error, or nil.
    mutating func apply(field: String, value: String) -> String? {
        switch field {
        case "key": key = value.isEmpty ? nil : value
        case "names": names = value.split(separator: " ").map(String.init)
        case "max-days":
            guard let days = Int(value), (1...3650).contains(days) else {
                return "'auth.c25519.signer.\(label).max-days' needs 1...3650, found '\(value)'"
            }
            maximumDays = days
        default: return "unknown key 'auth.c25519.signer.\(label).\(field)' (key, names, max-days)"
        }
        return nil
    }
}
