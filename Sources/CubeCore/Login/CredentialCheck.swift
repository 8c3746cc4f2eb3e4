/// A credential the hub checks off the router's thread with the checker registered for
/// ``method``, answering ``Router/credentialChecked(_:verdict:now:)``.
package struct CredentialCheck: Equatable, Sendable {
    /// The auth method, which names the checker (`pwd`, `callout`).
    package var method: String
    /// The user name offered.
    package var user: String
    /// The secret offered (a password, a credential). Never logged.
    package var secret: [UInt8]
    /// What the secret is checked against: the stored Argon2id string (`pwd`), the program
    /// (`callout`).
    package var reference: String
    /// How long the check may take, in seconds; nil for no limit of its own.
    package var timeoutSeconds: Int?

    package init(method: String, user: String, secret: [UInt8], reference: String, timeoutSeconds: Int? = nil) {
        self.method = method
        self.user = user
        self.secret = secret
        self.reference = reference
        self.timeoutSeconds = timeoutSeconds
    }
}
