// `watch <pattern>` / `unwatch` wired to ``TrafficWatch`` (docs/protocol.md §8.4). Costs one
// `isEmpty` check per routed message while nobody watches.
extension Router {
    /// `watch <pattern>`: starts copying matching traffic to the caller.
    mutating func watch(_ words: [String], command: Command, caller id: SessionID, now: Timestamp,
                        actions: inout [RouterAction]) {
        guard let pattern = words.first, words.count == 1 else {
            return actions.append(answer(id, command.id, .falseReply, "usage: watch <pattern>"))
        }
        if let refusal = trafficWatch.start(session: id, commandID: command.id, pattern: GlobPattern(pattern), now: now.monotonic) {
            return actions.append(answer(id, command.id, .falseReply, refusal.text))
        }
        sessions[id]?.isWatching = true
        let text = "watching '\(pattern)', at most \(Watcher.linesPerSecond) lines/s; 'unwatch' ends it"
        actions.append(answer(id, command.id, .wait, text))
    }

    /// `unwatch`: ends the caller's watch (its `watch` command gets its final `TRUE`).
    mutating func unwatch(command: Command, caller id: SessionID, actions: inout [RouterAction]) {
        guard let watcher = trafficWatch.stop(session: id) else {
            return actions.append(answer(id, command.id, .falseReply, "not watching"))
        }
        sessions[id]?.isWatching = false
        let text = "watch ended: \(watcher.sent) lines shown, \(watcher.dropped) dropped"
        actions.append(answer(id, watcher.commandID, .trueReply, text))
        actions.append(answer(id, command.id, .trueReply, "unwatched"))
    }

    /// A command was forwarded on a route: copies it to the watchers whose pattern matches.
    mutating func watchCommand(_ command: Command, source: SessionHandle, target: SessionHandle, targetID: UInt64,
                               now: Timestamp, actions: inout [RouterAction]) {
        var line = "cmd \(party(source)) > \(party(target)) (\(targetID)) "
        line += String(decoding: command.path, as: UTF8.self)
        if let args = command.args, !args.isEmpty { line += " " + String(decoding: args, as: UTF8.self) }
        if command.multiline != nil { line += " +" }
        send(trafficWatch.copy(line, path: command.path, now: now.monotonic), actions: &actions)
    }

    /// A reply was relayed on a route: copies it to the watchers whose pattern matches the route's path.
    mutating func watchReply(_ reply: Reply, route: Route, now: Timestamp, actions: inout [RouterAction]) {
        var line = "rpl \(party(route.targetSession)) > \(party(route.sourceSession)) "
        line += "(\(route.targetCommandID)) \(reply.keyword.rawValue)"
        if reply.keyword.hasBody {
            line += " \(reply.body?.count ?? 0) bytes"
        } else if !reply.text.isEmpty {
            line += " " + String(decoding: reply.text, as: UTF8.self)
        }
        send(trafficWatch.copy(line, path: route.path, now: now.monotonic), actions: &actions)
    }

    /// Reports drops of watchers whose window has passed (from ``tick(now:)``).
    mutating func reportWatchDrops(now: Timestamp, actions: inout [RouterAction]) {
        send(trafficWatch.reportDrops(now: now.monotonic), actions: &actions)
    }

    private func send(_ copies: [TrafficWatch.Copy], actions: inout [RouterAction]) {
        for copy in copies {
            actions.append(answer(copy.session, copy.commandID, .stream, body: Array((copy.line + "\n").utf8)))
        }
    }

    /// `user/sid`, the way watch lines name a session.
    private func party(_ handle: SessionHandle) -> String {
        "\(sessions[handle]?.user ?? "---")/\(handle.id)"
    }
}
