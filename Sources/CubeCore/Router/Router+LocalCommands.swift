// Running the commands a cube answers itself (docs/protocol.md §8), one row of `LocalCommand.all` each.
extension Router {
    /// A listing cut at its last whole line within `limit` (`limits.body`), with a last line
    /// saying how much was left out: every client must be able to read the reply, and one
    /// larger than the body limit failed `p7 offers` for everybody (docs/security.md).
    static func fitting(_ body: [UInt8], limit: Int) -> [UInt8] {
        guard body.count > limit else { return body }
        let room = max(0, limit - 96)
        var end = room
        while end > 0 && body[end - 1] != Wire.lf { end -= 1 }
        let notice = "... listing cut at limits.body: \(body.count - end) more bytes not shown\n"
        return Array(body[..<end]) + Array(notice.utf8)
    }

    /// Runs a local command the caller was allowed to run, by its row of `LocalCommand.all`.
    mutating func runLocal(_ command: Command, from id: SessionID, relayed: Bool = false, now: Timestamp,
                           actions: inout [RouterAction]) {
        guard let user = sessions[id]?.user else { return }
        let name = String(decoding: command.path, as: UTF8.self)
        let args = command.args.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let words = args.split(separator: " ").map(String.init)
        let call = LocalCall(command: command, id: id, user: user, words: words, now: now, relayed: relayed)
        switch LocalCommand.all.dispatch(name, answerer: configuration.nodeName) {
        case .answer(let keyword, let text): answer(call, keyword, text, &actions)
        case .listing:
            // One access check per command of the table: each is a unit of the turn's work.
            turnCost += LocalCommand.all.entries.count
            let word = words.first
            let text = LocalCommand.all.listing(.nameUsageSummary) { entry in
                configuration.access.allows(user: user, command: entry.name.utf8) && word.map(entry.name.contains) ?? true
            }
            answer(call, table: text, else: "no commands matching '\(word ?? "")' available", &actions)
        case .run(let handler): handler(&self, call, &actions)
        case .unknown: answer(call, .falseReply, Wire.commandDoesNotExist, &actions)
        }
    }

    /// Answers `call` with one line.
    func answer(_ call: LocalCall, _ keyword: ReplyKeyword, _ text: String, _ actions: inout [RouterAction]) {
        actions.append(answer(call.id, call.command.id, keyword, text))
    }

    /// Answers `call` with the (keyword, text) pair a command's helper returned.
    func answer(_ call: LocalCall, _ pair: (ReplyKeyword, String), _ actions: inout [RouterAction]) {
        answer(call, pair.0, pair.1, &actions)
    }

    /// Answers `call` with a `SIZE` table cut to `limits.body` (`fitting`); each KiB of it is
    /// a unit of the turn's work.
    mutating func answer(_ call: LocalCall, table text: String, _ actions: inout [RouterAction]) {
        let body = Self.fitting(Array(text.utf8), limit: configuration.limits.body)
        turnCost += body.count >> 10
        actions.append(answer(call.id, call.command.id, .size, body: body))
    }

    /// Answers `call` with the table `text`, or `FALSE <otherwise>` if there is none.
    mutating func answer(_ call: LocalCall, table text: String?, else otherwise: String, _ actions: inout [RouterAction]) {
        guard let text else { return answer(call, .falseReply, otherwise, &actions) }
        answer(call, table: text, &actions)
    }

    /// `unselect` (or `..`): clears the caller's base path.
    mutating func unselect(_ id: SessionID) -> (ReplyKeyword, String) {
        guard sessions[id]?.basePath != nil else { return (.falseReply, "base path not defined") }
        sessions[id]?.basePath = nil
        return (.trueReply, "base path reset to local cube node")
    }

    /// `release <lease>`: gives one of the caller's leases back.
    mutating func releaseCommand(_ words: [String], user: String, now: Timestamp,
                                 actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard let text = words.first, let lease = UInt64(text) else { return (.falseReply, "no such lease '\(words.first ?? "")'") }
        let (released, message, more) = release(lease, user: user, now: now)
        actions += more
        return (released ? .trueReply : .falseReply, message)
    }

    /// `size-unit [bytes|characters]`: what this session's `SIZE`/`STRM` counts count from the
    /// next message on, both ways (docs/protocol.md §5).
    mutating func sizeUnit(_ word: String?, session id: SessionID) -> (ReplyKeyword, String) {
        guard sessions.contains(id) else { return (.falseReply, Wire.clientNotPresent) }
        if let word {
            guard let unit = SizeUnit(rawValue: word) else { return (.falseReply, "usage: size-unit [bytes|characters]") }
            sessions[id]?.decoder.sizeUnit = unit
        }
        return (.trueReply, "size unit \((sessions[id]?.decoder.sizeUnit ?? .bytes).rawValue)")
    }

    func present(_ name: String?) -> (ReplyKeyword, String) {
        guard let name else { return (.falseReply, "not enough arguments") }
        if let first = users.ids(of: name).compactMap({ sessions[$0] }).min(by: { $0.since.wall < $1.since.wall }) {
            return (.trueReply, "present since \(TimeText.clock(first.since.wall, offset: utcOffset))")
        }
        if let seen = users.lastSeen(name) { return (.falseReply, "last seen \(TimeText.clock(seen, offset: utcOffset))") }
        return (.falseReply, "seen no such client")
    }
}
