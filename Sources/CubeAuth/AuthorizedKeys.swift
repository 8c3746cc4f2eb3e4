/// The authorized-keys file: which client keys may log in with `c25519`, and as which user.
///
/// One entry per line, `<base32-public-key> <user-name>`, optionally followed by a `#` comment;
/// blank lines and comment lines are ignored. User names follow ``UserName``. A key listed twice
/// is an error (it would be ambiguous); a user may have several keys.
///
/// ```
/// # laptop
/// NQ3…52 characters…A alice   # added 2024-05-01
/// ```
package struct AuthorizedKeys: Sendable, Equatable {
    /// Key → user name.
    package private(set) var users: [PublicKey: String]

    /// Creates an empty list.
    package init() { users = [:] }

    /// Parses the file's text.
    /// - Parameter text: the contents.
    /// - Throws: ``AuthError`` of kind `.malformed` naming the first bad line.
    package init(parsing text: String) throws(AuthError) {
        users = [:]
        for line in KeyListLines.parse(text) {
            guard line.fields.count == 2 else {
                throw KeyListLines.error("authorized-keys", line.number, "expected '<public-key> <user-name>'")
            }
            guard let key = PublicKey(base32: line.fields[0]) else {
                throw KeyListLines.error("authorized-keys", line.number, "not a base32 public key")
            }
            guard UserName.isValid(line.fields[1]) else {
                throw KeyListLines.error("authorized-keys", line.number, "invalid user name")
            }
            guard users[key] == nil else {
                throw KeyListLines.error("authorized-keys", line.number, "key listed twice")
            }
            users[key] = line.fields[1]
        }
    }

    /// Reads and parses an authorized-keys file.
    /// - Parameter path: the file.
    /// - Throws: ``AuthError`` (`.fileSystem` or `.malformed` naming the line).
    package static func read(from path: String) throws(AuthError) -> AuthorizedKeys {
        try AuthorizedKeys(parsing: KeyListLines.read(path, kind: "authorized-keys \(path)"))
    }

    /// The user a key logs in as.
    /// - Parameter key: the client's identity key.
    /// - Returns: the user name, or nil if the key is not authorized.
    package func user(for key: PublicKey) -> String? { users[key] }
}
