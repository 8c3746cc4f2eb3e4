/// One authentication method of the pre-auth mini-protocol (docs/protocol.md §3).
///
/// Adding a method is one type conforming to this and one entry in ``AuthMethods/all``
/// (docs/architecture.md "Adding an auth method"). The router offers, selects and dispatches
/// by the table; a method only judges its credential line. A method whose check needs I/O
/// (a slow hash, a program) answers ``AuthVerdict/check(_:)``; the hub runs the check with
/// the checker registered under the method's name.
package protocol AuthMethod: Sendable {
    /// The name in `list` and `select`.
    var name: String { get }
    /// What a session logged in by this method is.
    var kind: SessionKind { get }
    /// Whether its sessions on the unix socket count bodies in characters until they ask
    /// for bytes, as the original's peers do (docs/protocol.md §5 "Body counts").
    var countsCharacters: Bool { get }
    /// Whether the method is offered to a session in `context` (it must also be listed in
    /// `auth.methods`).
    func isOffered(in context: AuthContext) -> Bool
    /// Called when a session selects the method: a method that runs a handshake of its own
    /// instead of one credential line returns it (`c25519`).
    func selected(in context: AuthContext) -> (any SecureHandshake)?
    /// Judges the credential line (without its LF).
    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict
}

extension AuthMethod {
    package var kind: SessionKind { .client(method: name) }
    package var countsCharacters: Bool { false }
    package func selected(in context: AuthContext) -> (any SecureHandshake)? { nil }

    /// Whether the session came over the unix socket or from inside the process: clear-text
    /// credentials are accepted only there (docs/security.md "Authentication methods").
    package static func isLocal(_ transport: Transport) -> Bool {
        switch transport {
        case .unix, .local: true
        case .tcp: false
        }
    }
}
