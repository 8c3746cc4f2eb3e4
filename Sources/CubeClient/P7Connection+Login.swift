import CubeCore

extension P7Connection {
    /// Logs in with the `unix` method (PROTOCOL.md §3.1): sends `select unix⏎auth <user>⏎` in one
    /// write, as the original `p7` did, then expects `TRUE continue` and `AUTH_TRUE =)`.
    /// - Parameter user: the name to log in as, e.g. `unix-alice` (see ``P7User``).
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginUnix(user: String) throws(ClientError) {
        try login(method: "unix", credential: "auth \(user)")
    }

    /// Logs in with a one-time zenka session key (PROTOCOL.md §3.3): `select zenka⏎<name> <key>⏎`.
    /// - Parameters:
    ///   - name: the zenka name, optionally with `[sub]`.
    ///   - key: the session key registered with `session-key`.
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginZenka(name: String, key: String) throws(ClientError) {
        try login(method: "zenka", credential: "\(name) \(key)")
    }

    /// Logs in with a password (PROTOCOL.md §3.2): `select pwd⏎auth <user> <password>⏎`.
    /// The password crosses the socket in clear, which is why the cube offers `pwd` on unix sockets only.
    /// - Parameters:
    ///   - user: the user name.
    ///   - password: the password (the rest of the line).
    /// - Throws: ``ClientError/loginFailed(_:)`` with the first unexpected line, or a connection error.
    public func loginPassword(user: String, password: String) throws(ClientError) {
        try login(method: "pwd", credential: "auth \(user) \(password)")
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
        let text: [UInt8]
        switch try readFrame() {
        case .line(let line): text = line
        case .body(let header, _), .multiline(let header, _), .bodyTooLarge(let header): text = header
        case .lineTooLong: text = Array("(over-long line)".utf8)
        }
        guard text + [Wire.lf] == expected else { throw .loginFailed(String(decoding: text, as: UTF8.self)) }
    }
}
