import CubeCore
import Foundation

// Running the commands of the `v7` zenka, one row of `ManagerCommand.all` each.
extension Manager {
    /// A typed message the router gave the `v7` session: a command for the manager or a reply
    /// to one of its own heart checks.
    func received(_ message: Message) {
        queue.async { [self] in
            switch message {
            // A notice (`lease-end` of the compute offer) wants no answer.
            case .command(let command) where command.id == 0: break
            case .command(let command): answer(command)
            case .reply(let reply): heartbeatReply(reply)
            default: break
            }
        }
    }

    /// Answers a command sent to `v7` by its row of `ManagerCommand.all`.
    private func answer(_ command: Command) {
        let name = String(decoding: command.path, as: UTF8.self)
        let args = command.args.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let words = args.split(separator: " ").map(String.init)
        let answer: ManagerCommand.Answer
        switch ManagerCommand.all.dispatch(name, answerer: "v7") {
        case .answer(let keyword, let text): answer = .line(keyword, text)
        case .listing: answer = .table(ManagerCommand.all.listing(.usageSummary) ?? "")
        case .run(let handler): answer = handler(self, command, words)
        case .unknown: answer = .line(.falseReply, Wire.commandDoesNotExist)
        }
        switch answer {
        case .line(let keyword, let text): hub.reply(Reply(id: command.id, keyword: keyword, text: Array(text.utf8)), from: session)
        case .table(let text): reply(command.id, body: text)
        case .deferred: break
        }
    }

    /// `notify_online`/`notify_offline <name>`: answers at once if `name` already is online
    /// (offline), else once it logs in (its last session ends).
    func notify(_ command: Command, _ words: [String], online wanted: Bool) -> ManagerCommand.Answer {
        guard let target = words.first.map({ $0.split(separator: "[").first.map(String.init) ?? $0 }) else {
            return .line(.falseReply, "zenka name expected")
        }
        let online = isOnline(target)
        if wanted, online {
            let sid = hub.inspect { $0.sessions(of: target).first } ?? 0
            return .line(.trueReply, "zenka '\(target)' already online., [\(sid)]")
        } else if !wanted, !online {
            return .line(.trueReply, "zenka \(target) is not online.")
        }
        // Deferred: answered by `observe` when the zenka joins or leaves; kept as long
        // as its route is open (`forgetEndedNotifications`).
        notifications.add(id: command.id, name: target, online: wanted)
        return .deferred
    }

    private func reply(_ id: UInt64, body: String) {
        hub.reply(Reply(id: id, keyword: .size, body: Array(body.utf8)), from: session)
    }

    func start(_ words: [String], once: Bool) -> (ReplyKeyword, String) {
        guard let name = words.first else { return (.falseReply, "zenka name expected") }
        guard definitions[name] != nil else { return (.falseReply, "zenka \(name) not found in start set-up ..,") }
        if once, let running = instances.values.first(where: { $0.name == name && $0.state != .stopping }) {
            return (.trueReply, "zenka '\(name)' already running [ 'start-once' mode ] [ instance \(running.id) ]")
        }
        records[name, default: ZenkaRecord()].manuallyStopped = false
        switch launch(name, replacingRestart: true) {
        case .success(let id): return (.trueReply, "zenka '\(name)' starting [ instance \(id) ]")
        case .failure(.maximumReached(let count)):
            return (.falseReply, "reached configured maximum concurrency for zenka '\(name)' [ \(count) ]")
        case .failure(.waiting(let missing)):
            return (.trueReply, "zenka '\(name)' waits for \(missing.joined(separator: ", "))")
        case .failure(.spawn(let reason)): return (.falseReply, "zenka '\(name)' start-up failed: \(reason)")
        case .failure(.unknown): return (.falseReply, "zenka \(name) not found in start set-up ..,")
        }
    }

    /// Instances named by names or instance ids: those not stopping, and with `restarting`
    /// also those stopping for a restart (they would come back).
    private func matching(_ words: [String], restarting: Bool = false) -> [Int] {
        instances.values.filter { instance in
            (instance.state != .stopping || restarting && instance.restarting)
                && words.contains { $0 == instance.name || $0 == String(instance.id) }
        }.map(\.id)
    }

    func stop(_ words: [String], now: UInt64) -> (ReplyKeyword, String) {
        guard !words.isEmpty else { return (.falseReply, "zenka name or instance expected") }
        if let unknown = words.first(where: { definitions[$0] == nil && Int($0) == nil }) {
            return (.falseReply, "zenka '\(unknown)' not in set-up [ see 'v7.list' ]")
        }
        for word in words where definitions[word] != nil {
            records[word, default: ZenkaRecord()].manuallyStopped = true
            records[word]?.restartsDue = []
        }
        // One already stopping for a restart is stopped too: its restart is called off.
        let victims = matching(words, restarting: true)
        guard !victims.isEmpty else { return (.falseReply, "there is no zenka matching '\(words.joined(separator: " "))' running") }
        for id in victims { stop(instance: id, now: now) }
        return (.trueReply, "shutting down \(victims.count) zenka instance(s)")
    }

    func restart(_ words: [String], now: UInt64) -> (ReplyKeyword, String) {
        let victims = matching(words)
        guard !victims.isEmpty else { return (.falseReply, "there is no zenka matching '\(words.joined(separator: " "))' running") }
        for id in victims { restart(instance: id, now: now, reason: .requested) }
        return (.trueReply, "restarting \(victims.count) zenka instance(s) .,")
    }

    func statusTable(_ filter: String?, now: UInt64) -> String {
        var table = TextTable(headers: ["instance", "zenka", "state", "pid", "session", "restarts", "up"])
        for instance in instances.values.sorted(by: { $0.id < $1.id }) {
            if let filter, filter != instance.name, filter != String(instance.id) { continue }
            table.append([String(instance.id), instance.name, instance.state.rawValue, String(instance.process.pid),
                          instance.session.map(String.init) ?? "-", String(records[instance.name]?.restarts ?? 0),
                          TimeText.duration(nanoseconds: now - instance.started)])
        }
        return table.render()
    }

    func listTable() -> String {
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
            } else if record.restartPending {
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

extension Manager {
    /// Offers this node's spare slots to other nodes (`node.compute.*`, docs/pooling.md
    /// "Bursts"): one `compute` offer by `v7`, listing the configured balanced zenki it runs
    /// for others. The router grants its leases and asks for their instances (`.serve`).
    func offerCompute() {
        let compute = hub.configuration.compute
        guard compute.offers else { return }
        let runs = compute.runs.filter { definitions[$0]?.dispatch == .balanced }
        for name in compute.runs where !runs.contains(name) {
            logger.warning("node.compute.runs: '\(name)' is not a balanced zenka here, not offered")
        }
        guard !runs.isEmpty else { return }
        let offer = Command(id: nextCheckID, path: Array("offer".utf8),
                            args: Array("compute \(compute.effectiveSlots) runs=\(runs.joined(separator: ","))".utf8))
        nextCheckID = CommandID.after(nextCheckID)
        if case .refused(let reason) = hub.submit(offer, from: session) {
            logger.warning("compute offer refused: \(reason)")
        } else {
            logger.info("compute offered", metadata: ["slots": "\(compute.effectiveSlots)", "runs": "\(runs.joined(separator: ","))"])
        }
    }
}
