import Foundation

/// Chooses the login for each (re)connect from ``ZenkaSettings``.
///
/// A one-time key works once, so it is used for the first attempt only. Later attempts read
/// a fresh key from the key file (the manager rewrites it), else log in with `callout` when
/// a user and credential are set, else fall back to method `unix`.
struct LoginPlan: Sendable {
    /// One login to try.
    enum Step: Sendable, Equatable {
        /// Method `zenka`: `<name>[<sub>] <key>`.
        case zenka(name: String, key: String)
        /// Method `unix`: `auth <user>`.
        case unix(user: String)
        /// Method `c25519` with this identity key file, presenting the certificate file if any.
        case c25519(identity: String, certificate: String?)
        /// Method `callout`: `auth <user> <credential>` (docs/protocol.md §3.7).
        case callout(user: String, credential: String)
    }

    let settings: ZenkaSettings
    private var keyUsed = false

    init(settings: ZenkaSettings) { self.settings = settings }

    /// The login for the next attempt.
    /// - Throws: ``ZenkaError/keyFileUnreadable(_:)`` or ``ZenkaError/noCredentials``.
    mutating func next() throws -> Step {
        if let identity = settings.identityKeyPath {
            return .c25519(identity: identity, certificate: settings.certificatePath)
        }
        if let key = settings.key, !keyUsed {
            keyUsed = true
            return .zenka(name: settings.name, key: key)
        }
        if let path = settings.keyFile {
            return .zenka(name: settings.name, key: try Self.readKey(path))
        }
        if let user = settings.calloutUser, !user.isEmpty, let credential = settings.credential, !credential.isEmpty {
            return .callout(user: user, credential: credential)
        }
        if let user = settings.unixUser, !user.isEmpty { return .unix(user: user) }
        throw ZenkaError.noCredentials
    }

    /// The first line of the file at `path`, trimmed.
    static func readKey(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ZenkaError.keyFileUnreadable(path) }
        let text = String(decoding: data, as: UTF8.self)
        let key = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw ZenkaError.keyFileUnreadable(path) }
        return key
    }
}
