// `watch <pattern>` / `unwatch`: copies of routed traffic for operators (Watcher, and
// docs/protocol.md §8.4). Costs one `isEmpty` check per routed message while
// nobody watches.
extension Router {
    /// `watch <pattern>`: starts copying matching traffic to the caller.
    mutating func watch(_ words: [String], command: Command, caller id: SessionID, now: Timestamp,
                        actions: inout [RouterAction]) {
        guard let pattern = words.first, words.count == 1 else {
            return actions.append(answer(id, command.id, .falseReply, "usage: watch <pattern>"))
        }
        guard !watchers.contains(where: { $0.session == id }) else {
            return actions.append(answer(id, command.id, .falseReply, "already watching; 'unwatch' first"))
        }
        guard watchers.count < Watcher.maximumWatchers else {
            let text = "too many watchers (at most \(Watcher.maximumWatchers) per cube)"
            return actions.append(answer(id, command.id, .falseReply, text))
        }
        watchers.append(Watcher(session: id, commandID: command.id, pattern: GlobPattern(pattern),
                                windowStart: now.monotonic))
        sessions[id]?.isWatching = true
        let text = "watching '\(pattern)', at most \(Watcher.linesPerSecond) lines/s; 'unwatch' ends it"
        actions.append(answer(id, command.id, .wait, text))
    }

    /// `unwatch`: ends the caller's watch (its `watch` command gets its final `TRUE`).
    mutating func unwatch(command: Command, caller id: SessionID, actions: inout [RouterAction]) {
        guard let index = watchers.firstIndex(where: { $0.session == id }) else {
            return actions.append(answer(id, command.id, .falseReply, "not watching"))
        }
        let watcher = watchers.remove(at: index)
        sessions[id]?.isWatching = false
        let text = "watch ended: \(watcher.sent) lines shown, \(watcher.dropped) dropped"
        actions.append(answer(id, watcher.commandID, .trueReply, text))
        actions.append(answer(id, command.id, .trueReply, "unwatched"))
    }

    /// Forgets the watch of a session that went away.
    mutating func watcherLeft(_ id: SessionID) {
        watchers.removeAll { $0.session == id }
    }

    /// A command was forwarded on a route: copies it to the watchers whose pattern matches.
    mutating func watchCommand(_ command: Command, source: Session, target: Session, targetID: UInt64,
                               now: Timestamp, actions: inout [RouterAction]) {
        var line = "cmd \(Self.party(source)) > \(Self.party(target)) (\(targetID)) "
        line += String(decoding: command.path, as: UTF8.self)
        if let args = command.args, !args.isEmpty { line += " " + String(decoding: args, as: UTF8.self) }
        if command.multiline != nil { line += " +" }
        copy(line, path: command.path, now: now, actions: &actions)
    }

    /// A reply was relayed on a route: copies it to the watchers whose pattern matches the route's path.
    mutating func watchReply(_ reply: Reply, route: Route, now: Timestamp, actions: inout [RouterAction]) {
        var line = "rpl \(Self.party(route.targetSession)) > \(Self.party(route.sourceSession)) "
        line += "(\(route.targetCommandID)) \(reply.keyword.rawValue)"
        if reply.keyword.hasBody {
            line += " \(reply.body?.count ?? 0) bytes"
        } else if !reply.text.isEmpty {
            line += " " + String(decoding: reply.text, as: UTF8.self)
        }
        copy(line, path: route.path, now: now, actions: &actions)
    }

    /// Reports drops of watchers whose window has passed (from ``tick(now:)``).
    mutating func reportWatchDrops(now: Timestamp, actions: inout [RouterAction]) {
        for index in watchers.indices where watchers[index].unreportedDrops > 0 {
            startWindowIfDue(index, now: now, actions: &actions)
        }
    }

    private mutating func copy(_ line: String, path: [UInt8], now: Timestamp, actions: inout [RouterAction]) {
        for index in watchers.indices where watchers[index].pattern.matches(path) {
            startWindowIfDue(index, now: now, actions: &actions)
            guard watchers[index].sentInWindow < Watcher.linesPerSecond else {
                watchers[index].dropped += 1
                watchers[index].unreportedDrops += 1
                continue
            }
            watchers[index].sentInWindow += 1
            watchers[index].sent += 1
            send(Self.cut(line), to: watchers[index], actions: &actions)
        }
    }

    /// Opens a new one-second window once the current one is over, reporting the drops of the last.
    private mutating func startWindowIfDue(_ index: Int, now: Timestamp, actions: inout [RouterAction]) {
        guard now.monotonic &- watchers[index].windowStart >= 1_000_000_000 else { return }
        watchers[index].windowStart = now.monotonic
        watchers[index].sentInWindow = 0
        let drops = watchers[index].unreportedDrops
        guard drops > 0 else { return }
        watchers[index].unreportedDrops = 0
        send("... \(drops) lines dropped (more than \(Watcher.linesPerSecond) lines/s)", to: watchers[index], actions: &actions)
    }

    private func send(_ line: String, to watcher: Watcher, actions: inout [RouterAction]) {
        actions.append(answer(watcher.session, watcher.commandID, .stream, body: Array((line + "\n").utf8)))
    }

    /// `user/sid`, the way watch lines name a session.
    private static func party(_ session: Session) -> String {
        "\(session.user ?? "---")/\(session.id)"
    }

    /// `line` cut to ``Watcher/maximumLineLength`` bytes (at a character boundary), control
    /// characters shown as `?`.
    private static func cut(_ line: String) -> String {
        var out = ""
        var length = 0
        for scalar in line.unicodeScalars {
            let shown: Unicode.Scalar = scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar
            length += String(shown).utf8.count
            if length > Watcher.maximumLineLength - 3 {
                out += "..."
                break
            }
            out.unicodeScalars.append(shown)
        }
        return out
    }
}
