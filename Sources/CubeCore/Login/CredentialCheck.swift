/// A credential the hub checks off the router's thread with the checker registered for
/// ``method``, answering ``Router/credentialChecked(_:verdict:now:)``.
public struct CredentialCheck: Equatable, Sendable {
    /// The auth method, which names the checker (`pwd`, `callout`).
    public var method: String
    /// The user name offered.
    public var user: String
    /// The secret offered (a password, a credential). Never logged.
    public var secret: [UInt8]
    /// What the secret is checked against: the stored Argon2id string (`pwd`), the program
    /// (`callout`).
    public var reference: String
    /// How long the check may take, in seconds; nil for no limit of its own.
    public var timeoutSeconds: Int?

    public init(method: String, user: String, secret: [UInt8], reference: String, timeoutSeconds: Int? = nil) {
        self.method = method
        self.user = user
        self.secret = secret
        self.reference = reference
        self.timeoutSeconds = timeoutSeconds
    }
}
