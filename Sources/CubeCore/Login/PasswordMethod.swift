/// `pwd`: a password checked against the stored Argon2id string on a worker thread
/// (docs/protocol.md §3.2). Credential line `auth <name> <password>`; unix socket only,
/// because the password crosses the socket in clear.
struct PasswordMethod: AuthMethod {
    let name = "pwd"
    let countsCharacters = true

    func isOffered(in context: AuthContext) -> Bool { Self.isLocal(context.transport) }

    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict {
        guard let (name, password) = Self.userAndSecret(line) else { return .malformed }
        guard let stored = context.configuration.users[name]?.passwordHash else {
            return .refused(user: name, reason: "no password set for this user")
        }
        return .check(CredentialCheck(method: self.name, user: name, secret: password, reference: stored))
    }

    /// `auth <name> <secret>`: the secret is every byte after `auth <name> `, spaces included,
    /// and must not be empty; nil for any other shape.
    static func userAndSecret(_ line: [UInt8]) -> (String, [UInt8])? {
        let words = line.split(separator: Wire.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 3, words[0].elementsEqual("auth".utf8), Names.isUserName(words[1]) else { return nil }
        let secret = Array(line.dropFirst(words[0].count + words[1].count + 2))
        guard !secret.isEmpty else { return nil }
        return (String(decoding: words[1], as: UTF8.self), secret)
    }
}
