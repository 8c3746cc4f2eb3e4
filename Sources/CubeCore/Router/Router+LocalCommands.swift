// The commands a cube answers itself (PROTOCOL.md §8), listed in `LocalCommand.all`.
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

    mutating func runLocal(_ command: Command, from id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        guard let user = sessions[id]?.user else { return }
        let name = String(decoding: command.path, as: UTF8.self)
        let args = command.args.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let words = args.split(separator: " ").map(String.init)
        func reply(_ keyword: ReplyKeyword, _ text: String) {
            actions.append(.send(id, Render.reply(id: command.id, keyword, text)))
        }
        func table(_ text: String) {
            let unit = sessions[id]?.decoder.sizeUnit ?? .bytes
            let body = Self.fitting(Array(text.utf8), limit: configuration.limits.body)
            turnCost += body.count >> 10
            actions.append(.send(id, Render.body(id: command.id, .size, body, unit: unit)))
        }
        switch name {
        case "heart": reply(.trueReply, "beating")
        case "whoami": reply(.trueReply, "\(user) \(id)")
        case "name": reply(.trueReply, configuration.nodeName)
        case "size-unit": reply(sizeUnit(words.first, session: id))
        case "ptl-ver": reply(.trueReply, #": protocol version : \\PROTOCOL-7-VERSION\\\#(Wire.version)\\"#)
        case "version": reply(.trueReply, SoftwareVersion.number)
        case "commands":
            // One access check per command of the table: each is a unit of the turn's work.
            turnCost += LocalCommand.all.count
            let text = commandsTable(for: user, matching: words.first)
            text.map(table) ?? reply(.falseReply, "no commands matching '\(words.first ?? "")' available")
        case "list":
            listTable(words.first, now: now).map(table) ?? reply(.falseReply, "no such list [ see 'list' command ]")
        case "present": reply(present(words.first))
        case "exit":
            reply(.trueReply, "bye")
            close(id, now: now, actions: &actions)
        case "close": close(id, now: now, actions: &actions)
        case "select": reply(select(words, caller: id))
        case "unselect":
            guard sessions[id]?.basePath != nil else { return reply(.falseReply, "base path not defined") }
            sessions[id]?.basePath = nil
            reply(.trueReply, "base path reset to local cube node")
        case "basepath":
            let base = sessions[id]?.basePath.map { String(decoding: $0, as: UTF8.self) }
            base.map { reply(.trueReply, $0) } ?? reply(.falseReply, "not set")
        case "set-initialized": reply(setInitialized(words.first, caller: id))
        case "session-key": reply(sessionKey(words, now: now))
        case "ondemand-zenka": reply(onDemandCommand(words, now: now, actions: &actions))
        case "term-all": termAll(words, command: command, caller: id, user: user, now: now, actions: &actions)
        case "offer": reply(offerCommand(words, from: id, user: user, now: now, actions: &actions))
        case "unoffer": reply(unofferCommand(words, from: id, user: user, now: now, actions: &actions))
        case "offers": table(offersTable(kind: words.first))
        case "acquire": acquire(command, words: words, from: id, user: user, now: now, actions: &actions)
        case "renew": reply(renew(words, from: id, user: user, now: now))
        case "release":
            guard let text = words.first, let lease = UInt64(text) else { return reply(.falseReply, "no such lease '\(words.first ?? "")'") }
            let (released, message, more) = release(lease, user: user, now: now)
            actions += more
            reply(released ? .trueReply : .falseReply, message)
        case "leases": table(leasesTable(user: user, now: now))
        case "set-client-key": reply(setClientKey(words, now: now))
        case "link": reply(linkCommand(words, actions: &actions))
        case "unlink": reply(unlinkCommand(words, now: now, actions: &actions))
        case "links": linksTable(now: now).map(table) ?? reply(.falseReply, Wire.noNetwork)
        // Answered by `reloadFinished` once the owner has read and applied the files.
        case "reload": actions.append(.reload(id, command: command.id))
        case "stats": table(statsText(now: now))
        case "watch": watch(words, command: command, caller: id, now: now, actions: &actions)
        case "unwatch": unwatch(command: command, caller: id, actions: &actions)
        default: reply(.falseReply, Wire.commandDoesNotExist)
        }

        /// Local helpers return (keyword, text) pairs; this adapts them to `reply`.
        func reply(_ pair: (ReplyKeyword, String)) { reply(pair.0, pair.1) }
    }

    private func commandsTable(for user: String, matching word: String?) -> String? {
        var table = TextTable(headers: ["command", "usage", "description"])
        for command in LocalCommand.all where configuration.access.allows(user: user, command: command.name.utf8) {
            if let word, !command.name.contains(word) { continue }
            table.append([command.name, command.usage, command.summary])
        }
        return table.rows.isEmpty ? nil : table.render()
    }

    /// `size-unit [bytes|characters]`: what this session's `SIZE`/`STRM` counts count from the
    /// next message on, both ways (docs/protocol.md §5).
    private func sizeUnit(_ word: String?, session id: SessionID) -> (ReplyKeyword, String) {
        guard let session = sessions[id] else { return (.falseReply, Wire.clientNotPresent) }
        if let word {
            guard let unit = SizeUnit(rawValue: word) else { return (.falseReply, "usage: size-unit [bytes|characters]") }
            session.decoder.sizeUnit = unit
        }
        return (.trueReply, "size unit \(session.decoder.sizeUnit.rawValue)")
    }

    private func present(_ name: String?) -> (ReplyKeyword, String) {
        guard let name else { return (.falseReply, "not enough arguments") }
        if let ids = usersIndex[name]?.ids, let first = ids.compactMap({ sessions[$0] }).min(by: { $0.since.wall < $1.since.wall }) {
            return (.trueReply, "present since \(TimeText.clock(first.since.wall, offset: utcOffset))")
        }
        if let seen = lastSeen[name] { return (.falseReply, "last seen \(TimeText.clock(seen, offset: utcOffset))") }
        return (.falseReply, "seen no such client")
    }
}
