/// `c25519`: an encrypted, key-authenticated session (docs/protocol.md §3.5). Offered on
/// every transport when the node has an identity key. Selecting it starts the handshake,
/// whose lines the router feeds to it (``Router/secureLoginLine``); there is no single
/// credential line.
struct C25519Method: AuthMethod {
    let name = "c25519"

    func isOffered(in context: AuthContext) -> Bool { context.secureLogin != nil }

    func selected(in context: AuthContext) -> (any SecureHandshake)? { context.secureLogin?.start() }

    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict { .malformed }
}
