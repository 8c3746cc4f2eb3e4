import CubeAuth
import CubeCore

extension P7Connection {
    /// Logs in with the `unix` method (docs/protocol.md §3.1): sends `select unix⏎auth <user>⏎` in one
    /// write, as the original `p7` did, then expects `TRUE continue` and `AUTH_TRUE =)`.
    /// - Parameter user: the name to log in as, e.g. `unix-alice` (see ``P7User``).
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginUnix(user: String) throws(ClientError) {
        try login(method: "unix", credential: "auth \(user)")
    }

    /// Logs in with a one-time zenka session key (docs/protocol.md §3.3): `select zenka⏎<name> <key>⏎`.
    /// - Parameters:
    ///   - name: the zenka name, optionally with `[sub]`.
    ///   - key: the session key registered with `session-key`.
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginZenka(name: String, key: String) throws(ClientError) {
        try login(method: "zenka", credential: "\(name) \(key)")
    }

    /// Logs in with a password (docs/protocol.md §3.2): `select pwd⏎auth <user> <password>⏎`.
    /// The password crosses the socket in clear, which is why the cube offers `pwd` on unix sockets only.
    /// - Parameters:
    ///   - user: the user name.
    ///   - password: the password (the rest of the line).
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginPassword(user: String, password: String) throws(ClientError) {
        try login(method: "pwd", credential: "auth \(user) \(password)")
    }

    /// Logs in with `callout` (docs/protocol.md §3.7): `select callout⏎auth <user> <credential>⏎`.
    /// The cube hands the name and the credential to its configured checker program. Like
    /// `pwd`'s password the credential crosses the connection in clear. Afterwards bodies are
    /// counted in bytes, as the cube counts them for this method (docs/protocol.md §5).
    /// - Parameters:
    ///   - user: the user name.
    ///   - credential: the credential (the rest of the line; not empty, no line feed).
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginCallout(user: String, credential: String) throws(ClientError) {
        guard !credential.isEmpty else { throw .invalidArgument("empty credential") }
        try login(method: "callout", credential: "auth \(user) \(credential)")
        sizeUnit = .bytes
    }

    /// Logs in with `c25519` (docs/protocol.md §3.5) and switches the connection to encryption.
    ///
    /// Sends `select c25519`, expects `TRUE continue`, runs CubeAuth's ``ClientHandshake``
    /// (`hello` → `TRUE <S> <Se> <sig>` → `auth <sig>` → `AUTH_TRUE =)`) with a fresh ephemeral
    /// key, then sends our stream header; from then on everything sent and received on this
    /// connection is encrypted. On any failure the connection is closed.
    /// - Parameters:
    ///   - identity: our Ed25519 identity; its public key must be authorized on the cube.
    ///   - expectedServer: the server key pinned in the known-nodes file; nil accepts whatever
    ///     key the server proves (first use: pin the returned key).
    ///   - certificate: a key certificate for `identity` (its one-line text form, from
    ///     `set-client-key` or `cube cert sign`), sent as `cert <certificate>` before `hello`;
    ///     a refused one ends the login with ``ClientError/loginFailed(_:)`` carrying the
    ///     cube's `FALSE <reason>` line.
    /// - Returns: the server's identity key, proven by its signature over this connection's transcript.
    /// - Throws: ``ClientError/serverKeyChanged(expected:got:)`` if the server's key is not the
    ///   pinned one (checked before we sign anything), ``ClientError/loginFailed(_:)`` with the
    ///   server's refusal line (`FALSE …`, ``AUTH_ERROR `>:|``, `>:[`),
    ///   ``ClientError/handshakeFailed(_:)`` for a server line that does not verify or parse,
    ///   or a connection error.
    @discardableResult
    public func loginC25519(identity: IdentityKey, expectedServer: PublicKey?,
                            certificate: String? = nil) throws(ClientError) -> PublicKey {
        do throws(ClientError) {
            try sendRaw(Array("select c25519\n".utf8))
            try expectLoginLine(Wire.selectContinue)
            if let certificate {
                guard !certificate.utf8.contains(Wire.lf) else { throw .invalidArgument("certificate contains a line feed") }
                try sendRaw(Array("cert \(certificate)\n".utf8))
                try expectLoginLine(Wire.line("TRUE certificate noted"))
            }
            var handshake = ClientHandshake(identity: identity, banner: banner, ephemeral: .generate(),
                                            expectedServer: expectedServer)
            try sendRaw(handshake.helloLine())
            while true {
                let line = try loginLine()
                switch handshake.receive(line: line) {
                case .send(let bytes):
                    try sendRaw(bytes)
                case .authenticated(let server, let keys):
                    try startEncryption(keys)
                    // Only our cubes speak c25519, and they count bytes there (docs/protocol.md §5).
                    sizeUnit = .bytes
                    return server
                case .failed(.serverKeyChanged(let expected, let got)):
                    throw ClientError.serverKeyChanged(expected: expected, got: got)
                case .failed(.rejected):
                    throw ClientError.loginFailed(String(decoding: line, as: UTF8.self))
                case .failed(let failure):
                    throw ClientError.handshakeFailed(failure.description)
                }
            }
        } catch {
            close()
            throw error
        }
    }

    /// Asks the node for the proof that its key replaced an earlier one (`rotation` after
    /// `select c25519`, docs/security.md "Node key rotation"), then closes the connection.
    /// - Returns: the one-line statement, or nil when the node has none.
    public func fetchRotation() throws(ClientError) -> String? {
        defer { close() }
        try sendRaw(Array("select c25519\nrotation\n".utf8))
        try expectLoginLine(Wire.selectContinue)
        let line = String(decoding: try loginLine(), as: UTF8.self)
        return line.hasPrefix("TRUE ") ? String(line.dropFirst(5)) : nil
    }

    /// Pipelines the select and the credential line in one write, then checks both answers.
    private func login(method: String, credential: String) throws(ClientError) {
        guard !credential.utf8.contains(Wire.lf) else { throw .invalidArgument("credential contains a line feed") }
        try sendRaw(Array("select \(method)\n\(credential)\n".utf8))
        try expectLoginLine(Wire.selectContinue)
        try expectLoginLine(Wire.authTrue)
    }

    /// Reads one line and fails unless it equals `expected` (which ends in LF).
    private func expectLoginLine(_ expected: [UInt8]) throws(ClientError) {
        let text = try loginLine()
        guard text + [Wire.lf] == expected else { throw .loginFailed(String(decoding: text, as: UTF8.self)) }
    }

    /// Reads the next pre-auth line (a message with a body yields its header line).
    private func loginLine() throws(ClientError) -> [UInt8] {
        switch try readFrame() {
        case .line(let line): line
        case .body(let header, _), .multiline(let header, _), .bodyTooLarge(let header): header
        case .lineTooLong: Array("(over-long line)".utf8)
        }
    }
}
