// The door: in-process sessions (the mount, the manager) hand the router typed commands and
// replies and get typed messages back, with no framing, parsing or rendering in between
// (docs/architecture.md "Data flow of a mount write").
extension Router {
    /// A command from door session `id`, dispatched exactly as one that arrived on a socket
    /// (base path, access rules, local commands, routing, forwarding, on-demand queues).
    /// - Returns: what became of it; a refusal is not also sent as a reply.
    package mutating func submit(_ command: Command, from id: SessionID, now: Timestamp) -> (DispatchOutcome, [RouterAction]) {
        guard let session = sessions[id], session.isActive else { return (.noSession, []) }
        var actions: [RouterAction] = []
        if let refusal = dispatch(command.view, from: session, now: now, actions: &actions) {
            return (.refused(refusal), actions)
        }
        return (.accepted, actions)
    }

    /// A reply from door session `id` to a command routed to it (the manager answering a `v7`
    /// command), relayed exactly as one that arrived on a socket.
    package mutating func replied(_ reply: Reply, from id: SessionID, now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id], session.isActive else { return [] }
        var actions: [RouterAction] = []
        relay(reply.view, from: session, now: now, actions: &actions)
        return actions
    }

    /// The action that gives session `id` a reply to its command `commandID`: the typed reply
    /// for a door session, its wire form (a body counted in the session's size unit) for every other.
    func answer(_ id: SessionID, _ reply: Reply) -> RouterAction {
        guard let session = sessions[id] else { return .send(id, Render.reply(reply)) }
        return session.isDoor ? .deliver(id, .reply(reply)) : .send(id, Render.reply(reply, unit: session.decoder.sizeUnit))
    }

    /// ``answer(_:_:)`` for a text reply.
    func answer(_ id: SessionID, _ commandID: UInt64, _ keyword: ReplyKeyword, _ text: String) -> RouterAction {
        answer(id, Reply(id: commandID, keyword: keyword, text: Array(text.utf8)))
    }

    /// ``answer(_:_:)`` for a text reply given as bytes (a zenka's text relayed).
    func answer(_ id: SessionID, _ commandID: UInt64, _ keyword: ReplyKeyword, _ text: [UInt8]) -> RouterAction {
        answer(id, Reply(id: commandID, keyword: keyword, text: text))
    }

    /// ``answer(_:_:)`` for a `SIZE`/`STRM` body.
    func answer(_ id: SessionID, _ commandID: UInt64, _ keyword: ReplyKeyword, body: [UInt8]) -> RouterAction {
        answer(id, Reply(id: commandID, keyword: keyword, body: body))
    }

    /// A notice without an id (`lease-end <id> <reason>`): a command nobody answers.
    func notice(_ id: SessionID, _ path: String, _ args: String) -> RouterAction {
        let command = Command(id: 0, path: Array(path.utf8), args: Array(args.utf8))
        if sessions[id]?.isDoor == true { return .deliver(id, .command(command)) }
        return .send(id, Render.command(id: 0, path: command.path, args: command.args))
    }

    /// `!TERM! <text>` before the router closes a session; a door session learns it from the close.
    func terminate(_ id: SessionID, _ text: String) -> RouterAction {
        sessions[id]?.isDoor == true ? .deliver(id, .terminate) : .send(id, Render.terminate(text))
    }
}
