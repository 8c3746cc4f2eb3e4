/// The pre-auth mini-protocol of one session (docs/protocol.md §3), as a pure machine: `list`,
/// `select`, `selected`, `close` and the counters that make a client that keeps guessing go
/// away [D]. Which methods are offered and how a credential is judged stay with the router
/// and the method table (``AuthMethods``); this only decides what a pre-auth line means.
struct LoginState: Sendable {
    /// What a pre-auth line asks of the router.
    enum Step {
        /// Send these bytes; the session stays in the pre-auth phase.
        case send([UInt8])
        /// Send these bytes, then close the session (never counted as a failed login: nothing
        /// was tried).
        case sendAndClose([UInt8])
        /// `select` chose an offered method: send `TRUE continue` and start its handshake, if any.
        case selected(any AuthMethod)
        /// The credential line of the selected method: the router has the method judge it.
        case credential(any AuthMethod)
    }

    /// Most bytes of replies to pre-auth lines one session is sent (fixed): an honest login
    /// takes well under 4 KiB of them, banner and `c25519` handshake included
    /// (docs/security.md "Resource limits").
    static let outputLimit = 64 << 10

    var listCount = 0
    var selectCount = 0
    var failedSelects = 0
    /// The selected method (`select`), from ``AuthMethods``.
    var method: (any AuthMethod)?

    /// One pre-auth line (the `auth.` prefix allowed, as the original does).
    /// - Parameter offered: the methods offered to this session, longest name first; asked
    ///   only by `list` and `select`.
    mutating func receive(_ line: [UInt8], offered: () -> [any AuthMethod]) -> Step {
        var request = line[...]
        if request.starts(with: "auth.".utf8) { request = request.dropFirst(5) }
        let text = String(decoding: request, as: UTF8.self)
        switch text {
        case "close":
            return .sendAndClose(Wire.connectionClosed)
        case "list":
            listCount += 1
            switch listCount {
            case 1:
                let list = offered().map { $0.name + "\n" }.joined()
                return .send(Array("SIZE \(list.utf8.count)\n\(list)".utf8))
            case 2: return .send(Wire.listAgain)
            default: return .sendAndClose(Wire.authMethodsError)
            }
        case "selected":
            return .send(method.map { Render.reply(id: 0, .trueReply, $0.name) } ?? Wire.notSelectedYet)
        case _ where text.hasPrefix("select "):
            return select(String(text.dropFirst(7)), offered: offered)
        default:
            guard let method else { return .sendAndClose(Bytes.isBlank(line) ? Wire.authMethodsError : Wire.speakProtocol7) }
            return .credential(method)
        }
    }

    /// `select <name>`: at most three selects, at most two of them for methods not offered.
    private mutating func select(_ name: String, offered: () -> [any AuthMethod]) -> Step {
        selectCount += 1
        guard Names.isMethodName(name.utf8), selectCount <= 3 else { return .sendAndClose(Wire.authMethodsError) }
        if let chosen = offered().first(where: { $0.name == name }) {
            method = chosen
            return .selected(chosen)
        }
        failedSelects += 1
        return failedSelects < 3 ? .send(Wire.selectUnavailable) : .sendAndClose(Wire.authMethodsError)
    }
}
