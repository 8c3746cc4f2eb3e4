/// How a user may log in (`auth.setup.usr.<name> = …`, docs/protocol.md §3).
///
/// The value is a list of tokens: `:unix:<u1>,<u2>` (unix users allowed to act as the name),
/// `:zenka:` (the name may receive one-time session keys), and a `$argon2id$…` password hash.
package struct UserSetup: Equatable, Sendable {
    package var unixUsers: [String] = []
    package var zenka = false
    package var passwordHash: String?

    package init(unixUsers: [String] = [], zenka: Bool = false, passwordHash: String? = nil) {
        self.unixUsers = unixUsers
        self.zenka = zenka
        self.passwordHash = passwordHash
    }

    /// A token of an `auth.setup.usr.<name>` value that is none of the known forms.
    struct BadToken: Error { let token: String }

    /// Parses the value of an `auth.setup.usr.<name>` entry.
    static func parse(_ value: String) -> Result<UserSetup, BadToken> {
        var setup = UserSetup()
        for token in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if token == ":zenka:" {
                setup.zenka = true
            } else if token.hasPrefix(":unix:") {
                let users = token.dropFirst(":unix:".count).split(separator: ",").map(String.init)
                guard !users.isEmpty else { return .failure(BadToken(token: String(token))) }
                setup.unixUsers += users
            } else if token.hasPrefix("$argon2") {
                setup.passwordHash = String(token)
            } else {
                return .failure(BadToken(token: String(token)))
            }
        }
        return .success(setup)
    }
}
