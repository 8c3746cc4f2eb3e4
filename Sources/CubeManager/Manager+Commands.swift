import CubeCore
import Foundation

// The commands of the `v7` zenka: start, start_once, stop, restart, status, list.
extension Manager {
    /// A typed message the router gave the `v7` session: a command for the manager or a reply
    /// to one of its own heart checks.
    func received(_ message: Message) {
        queue.async { [self] in
            switch message {
            case .command(let command): answer(command)
            case .reply(let reply): heartbeatReply(reply)
            default: break
            }
        }
    }

    /// The commands `v7` answers, for `commands` and the docs.
    static let commandTable: [(String, String)] = [
        ("start <name>", "start an instance of a configured zenka"),
        ("start_once <name>", "start it unless it is already running"),
        ("stop <name|instance>...", "stop instances (no automatic restart until started again)"),
        ("restart <name|instance>...", "stop and start instances"),
        ("status [name|instance]", "table of running instances"),
        ("list", "table of configured zenki"),
        ("notify_online <name>", "answer once <name> is online (at once if it is)"),
        ("notify_offline <name>", "answer once <name> has no session left (at once if none)"),
        ("heart [notime]", "liveness check"),
        ("commands", "this table"),
    ]

    private func answer(_ command: Command) {
        let name = String(decoding: command.path, as: UTF8.self)
        let args = command.args.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let words = args.split(separator: " ").map(String.init)
        let now = Self.now
        let (keyword, text): (ReplyKeyword, String)
        switch name {
        case "heart": (keyword, text) = (.trueReply, "beating")
        case "name": (keyword, text) = (.trueReply, "v7")
        case "start", "start_once": (keyword, text) = start(words, once: name == "start_once")
        case "stop": (keyword, text) = stop(words, now: now)
        case "restart": (keyword, text) = restart(words, now: now)
        case "notify_online", "notify_offline":
            guard let target = words.first.map({ $0.split(separator: "[").first.map(String.init) ?? $0 }) else {
                (keyword, text) = (.falseReply, "zenka name expected")
                break
            }
            let online = isOnline(target)
            if name == "notify_online", online {
                let sid = hub.inspect { $0.sessions(of: target).first } ?? 0
                (keyword, text) = (.trueReply, "zenka '\(target)' already online., [\(sid)]")
            } else if name == "notify_offline", !online {
                (keyword, text) = (.trueReply, "zenka \(target) is not online.")
            } else {
                // Deferred: answered by `observe` when the zenka joins or leaves; kept as long
                // as its route is open (`forgetEndedNotifications`).
                notifications.add(id: command.id, name: target, online: name == "notify_online")
                return
            }
        case "status": return reply(command.id, body: statusTable(words.first, now: now))
        case "list": return reply(command.id, body: listTable())
        case "commands":
            var table = TextTable(headers: ["command", "description"])
            for (usage, summary) in Self.commandTable { table.append([usage, summary]) }
            return reply(command.id, body: table.render())
        default: (keyword, text) = (.falseReply, Wire.commandDoesNotExist)
        }
        hub.reply(Reply(id: command.id, keyword: keyword, text: Array(text.utf8)), from: session)
    }

    private func reply(_ id: UInt64, body: String) {
        hub.reply(Reply(id: id, keyword: .size, body: Array(body.utf8)), from: session)
    }

    private func start(_ words: [String], once: Bool) -> (ReplyKeyword, String) {
        guard let name = words.first else { return (.falseReply, "zenka name expected") }
        guard definitions[name] != nil else { return (.falseReply, "zenka \(name) not found in start set-up ..,") }
        if once, let running = instances.values.first(where: { $0.name == name && $0.state != .stopping }) {
            return (.trueReply, "zenka '\(name)' already running [ 'start-once' mode ] [ instance \(running.id) ]")
        }
        records[name, default: ZenkaRecord()].manuallyStopped = false
        switch launch(name) {
        case .success(let id): return (.trueReply, "zenka '\(name)' starting [ instance \(id) ]")
        case .failure(.maximumReached(let count)):
            return (.falseReply, "reached configured maximum concurrency for zenka '\(name)' [ \(count) ]")
        case .failure(.waiting(let missing)):
            return (.trueReply, "zenka '\(name)' waits for \(missing.joined(separator: ", "))")
        case .failure(.spawn(let reason)): return (.falseReply, "zenka '\(name)' start-up failed: \(reason)")
        case .failure(.unknown): return (.falseReply, "zenka \(name) not found in start set-up ..,")
        }
    }

    /// Instances named by names or instance ids.
    private func matching(_ words: [String]) -> [Int] {
        instances.values.filter { instance in
            instance.state != .stopping && words.contains { $0 == instance.name || $0 == String(instance.id) }
        }.map(\.id)
    }

    private func stop(_ words: [String], now: UInt64) -> (ReplyKeyword, String) {
        guard !words.isEmpty else { return (.falseReply, "zenka name or instance expected") }
        if let unknown = words.first(where: { definitions[$0] == nil && Int($0) == nil }) {
            return (.falseReply, "zenka '\(unknown)' not in set-up [ see 'v7.list' ]")
        }
        for word in words where definitions[word] != nil {
            records[word, default: ZenkaRecord()].manuallyStopped = true
            records[word]?.restartAt = nil
        }
        let victims = matching(words)
        guard !victims.isEmpty else { return (.falseReply, "there is no zenka matching '\(words.joined(separator: " "))' running") }
        for id in victims { stop(instance: id, now: now) }
        return (.trueReply, "shutting down \(victims.count) zenka instance(s)")
    }

    private func restart(_ words: [String], now: UInt64) -> (ReplyKeyword, String) {
        let victims = matching(words)
        guard !victims.isEmpty else { return (.falseReply, "there is no zenka matching '\(words.joined(separator: " "))' running") }
        for id in victims { restart(instance: id, now: now, reason: .requested) }
        return (.trueReply, "restarting \(victims.count) zenka instance(s) .,")
    }

    private func statusTable(_ filter: String?, now: UInt64) -> String {
        var table = TextTable(headers: ["instance", "zenka", "state", "pid", "session", "restarts", "up"])
        for instance in instances.values.sorted(by: { $0.id < $1.id }) {
            if let filter, filter != instance.name, filter != String(instance.id) { continue }
            table.append([String(instance.id), instance.name, instance.state.rawValue, String(instance.process.pid),
                          instance.session.map(String.init) ?? "-", String(records[instance.name]?.restarts ?? 0),
                          TimeText.duration(nanoseconds: now - instance.started)])
        }
        return table.render()
    }

    private func listTable() -> String {
        var table = TextTable(headers: ["zenka", "mode", "start", "running", "state", "restarts", "last exit"])
        for definition in definitions.values.sorted(by: { $0.name < $1.name }) {
            let running = instances.values.filter { $0.name == definition.name }
            let record = records[definition.name] ?? ZenkaRecord()
            let state: String = if running.contains(where: { $0.state == .online }) {
                "online"
            } else if !running.isEmpty {
                running[0].state.rawValue
            } else if record.manuallyStopped {
                "stopped"
            } else if record.restartAt != nil {
                "restart pending"
            } else if record.waitingForDependencies {
                "waiting"
            } else {
                "offline"
            }
            table.append([definition.name, definition.mode.rawValue, definition.start.rawValue, String(running.count),
                          state, String(record.restarts), record.lastExit ?? "-"])
        }
        return table.render()
    }
}
