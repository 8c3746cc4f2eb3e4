// Messages of logged-in sessions: commands are checked and dispatched, replies relayed
// (docs/protocol.md §4–§6).
extension Router {
    /// - Parameter session: the sender, passed down rather than looked up again per message.
    /// Lines are read in place (``BorrowedFrame``, ``MessageView``): only what a route or a
    /// queue keeps is copied out (docs/performance.md "Router CPU per pipelined request").
    mutating func handleActive(_ frame: BorrowedFrame, from session: Session, now: Timestamp, actions: inout [RouterAction]) {
        let id = session.id
        switch frame {
        case .frame(.lineTooLong):
            actions.append(.send(id, Render.reply(id: 0, .falseReply, Wire.lineTooLong)))
        case .frame(.bodyTooLarge(let header)):
            refuse(header: header, text: Wire.bodyTooLarge, from: session, now: now, actions: &actions)
        case .line(let line):
            handleLine(line, from: session, now: now, actions: &actions)
        case .frame:
            handleFrame(frame, from: session, now: now, actions: &actions)
        }
    }

    /// ``handleActive(_:from:now:actions:)`` of a plain line, the hot path: the line is read
    /// into index ranges and the command's or the reply's view built from them once
    /// (``MessageView/read(_:)``).
    private mutating func handleLine(_ line: ArraySlice<UInt8>, from session: Session, now: Timestamp,
                                     actions: inout [RouterAction]) {
        switch MessageView.read(line) {
        case .empty, .terminate:
            return
        case .invalid(let error):
            actions.append(.send(session.id, Render.reply(id: error.id, .falseReply, error.text)))
        case .reply(let replyID, let keyword, let text):
            relay(ReplyView.reading(line, id: replyID, keyword: keyword, text: text), from: session, now: now, actions: &actions)
        case .command(let commandID, let path, let args):
            if let refusal = dispatch(CommandView.reading(line, id: commandID, path: path, args: args), from: session, now: now,
                                      actions: &actions) {
                actions.append(.send(session.id, Render.reply(id: commandID, .falseReply, refusal.text)))
            }
        }
    }

    /// ``handleActive(_:from:now:actions:)`` of a multi-line command or a reply with a body.
    private mutating func handleFrame(_ frame: BorrowedFrame, from session: Session, now: Timestamp,
                                      actions: inout [RouterAction]) {
        switch MessageView.parse(frame) {
        case .empty, .terminate:
            return
        case .invalid(let error):
            actions.append(.send(session.id, Render.reply(id: error.id, .falseReply, error.text)))
        case .reply(let reply):
            relay(reply, from: session, now: now, actions: &actions)
        case .command(let command):
            if let refusal = dispatch(command, from: session, now: now, actions: &actions) {
                actions.append(.send(session.id, Render.reply(id: command.id, .falseReply, refusal.text)))
            }
        }
    }

    /// Answers a message refused before it was complete (too large, or past its sender's
    /// memory share) under the id of its header; a refused reply still ends its route, with
    /// the error going to the source.
    mutating func refuse(header: [UInt8]?, text: String, from session: Session, now: Timestamp,
                         actions: inout [RouterAction]) {
        var headerLine = header ?? []
        while let last = headerLine.last, Bytes.isBlankByte(last) || last == UInt8(ascii: "+") { headerLine.removeLast() }
        switch header == nil ? nil : Message.parseLine(headerLine) {
        case .reply(let reply):
            relay(ReplyView(id: reply.id, keyword: .falseReply, text: ArraySlice(text.utf8)), from: session, now: now,
                  actions: &actions)
        case .command(let command):
            actions.append(.send(session.id, Render.reply(id: command.id, .falseReply, text)))
        default:
            actions.append(.send(session.id, Render.reply(id: 0, .falseReply, text)))
        }
    }

    /// Applies the base path (or, on a link, the hop element), strips this node's own name,
    /// checks access, then runs a local command, forwards towards another node or routes it.
    /// - Returns: why the command was refused as a whole (the caller answers it: a `FALSE`
    ///   line on a socket, a ``DispatchOutcome`` through the door), or nil.
    mutating func dispatch(_ command: consuming CommandView, from session: Session, now: Timestamp,
                           actions: inout [RouterAction]) -> Refusal? {
        let id = session.id
        guard let user = session.user else { return nil }
        // The path is rewritten in place (a hop element, `..` or this node's name taken off
        // its front): a copy of it, or of the whole command, retained the line's storage
        // for every command (docs/performance.md "Router CPU per pipelined request").
        var hops = HopCount.initial
        let fromLink = session.isLink && inNetwork
        if fromLink {
            if command.path.starts(with: HopCount.marker) {
                guard let split = HopCount.split(command.path) else { return Refusal(.malformed, Wire.protocolMismatch) }
                hops = split.hops
                command.path = split.path
            } else if command.path.elementsEqual("advert".utf8) {
                receiveAdvert(command.owned, from: user, now: now, actions: &actions)
                return nil
            } else if command.path.elementsEqual(Self.revocationsPath.utf8) {
                receiveRevocations(command.owned, from: user, now: now, actions: &actions)
                return nil
            } else if command.path.elementsEqual(Self.rotationsPath.utf8) {
                receiveRotations(command.owned, from: user, now: now, actions: &actions)
                return nil
            } else if command.path.elementsEqual(Self.usageReceiptsPath.utf8) || command.path.elementsEqual(Self.usageAcksPath.utf8) {
                receiveUsageRecord(command.owned, from: user, now: now, actions: &actions)
                return nil
            } else if command.path.elementsEqual("link-alive".utf8) {
                return nil  // keep-alive: receiving it was the point
            } else if command.path.elementsEqual("lease-end".utf8), command.id == 0 {
                leaseEndNotice(command.owned, from: user, actions: &actions)
                return nil  // a notice: never answered
            }
        } else if Bytes.equals(command.path, "..") {
            command.path = ArraySlice("unselect".utf8)
        } else if Bytes.starts(command.path, with: "..") {
            command.path.removeFirst(2)
        } else if let base = session.basePath, !Bytes.equals(command.path, "unselect"), !Bytes.equals(command.path, "basepath") {
            command.path = ArraySlice(base + [UInt8(ascii: ".")] + command.path)
        }
        stripLocalNode(&command.path)
        guard let parsed = CommandPath(command.path) else { return Refusal(.malformed, Wire.protocolMismatch) }
        var remoteNode: String?
        if case .name(let name) = parsed.target, isRemoteNode(name), !isLocalName(name) { remoteNode = name }
        // A command on a link was checked against its user's rules where it entered the
        // network; here only the node's link rules apply, and only to what runs or is
        // delivered here: passing traffic on is what a node is for.
        let allowed = fromLink
            ? remoteNode != nil || configuration.network.linkAccess.contains { $0.matches(command.path) }
            : allowsRemembered(user: user, command: accessSubject(command.path, parsed) ?? command.path)
        guard allowed else {
            let subject = String(decoding: command.path, as: UTF8.self)
            let text = "command not known or no permission for '\(subject)'"
            stats.refusedCommands += 1
            actions.append(.event(.commandRefused(session: id, user: user, origin: session.origin, command: subject)))
            return Refusal(.denied, text)
        }
        if parsed.target == nil {
            stats.localCommands += 1
            // A path that crossed more than one link was relayed by the neighbour (usage
            // receipts come only from the consumer's own node: docs/market.md).
            runLocal(command.owned, from: id, relayed: fromLink && hops != .initial, now: now, actions: &actions)
            return nil
        } else if let name = remoteNode {
            // A user's release or renewal of a lease there changes what this node charges for
            // it (docs/market.md "Usage receipts"); one length comparison for any other.
            let purpose = fromLink ? nil : leasePurpose(command, parsed, node: name)
            if let purpose, let refusal = remoteLeaseRefusal(purpose, user: user) {
                stats.refusedCommands += 1
                return Refusal(.denied, refusal.text)
            }
            return forwardToNode(command, node: name, hops: hops, fromLink: fromLink, from: session, purpose: purpose,
                                 now: now, actions: &actions)
        } else {
            return route(command, parsed, from: id, session: session, now: now, actions: &actions)
        }
    }

    /// The string access patterns are matched against when it is not the path itself: a
    /// leading session id is replaced by that session's user name. (Nil, not the path: a copy
    /// of the path retained and released its line for every command.)
    private func accessSubject(_ path: ArraySlice<UInt8>, _ parsed: CommandPath) -> ArraySlice<UInt8>? {
        guard case .session(let target) = parsed.target, let name = sessions[target]?.user else { return nil }
        return ArraySlice(Array(name.utf8) + [UInt8(ascii: ".")] + parsed.remainder(of: path))
    }

    // MARK: - Routing

    /// Sends a command to every session its first path element names.
    /// - Returns: why it was refused as a whole, or nil (a busy target gets its own `FALSE`).
    mutating func route(_ command: Command, _ path: CommandPath, from id: SessionID, now: Timestamp,
                        actions: inout [RouterAction]) -> Refusal? {
        route(command.view, path, from: id, session: sessions[id], now: now, actions: &actions)
    }

    /// ``route(_:_:from:now:actions:)-(Command,_,_,_,_)`` of a command read in place; what
    /// waits (a queue) takes its own copy.
    /// - Parameter session: the source session, already looked up by the caller (nil: gone).
    mutating func route(_ command: CommandView, _ path: CommandPath, from id: SessionID, session source: Session?,
                        now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        // `name[sub]` and session ids keep addressing exactly those sessions (docs/pooling.md).
        if case .name(let name) = path.target, let definition = balancedDefinition(name) {
            return routeBalanced(command.owned, path, name: name, definition: definition, from: id, now: now, actions: &actions)
        }
        let targets = resolve(path.target)
        guard !targets.isEmpty else {
            if let name = onDemandName(path.target), onDemand.contains(name) {
                let account = sessions[id]?.account
                // The command's bytes and the route it will become.
                let cost = Route.memoryCost(pathLength: command.path.count) + command.byteCount
                if let account, let refusal = memory.refusal(cost, to: account) { return Refusal(.limit, refusal.text) }
                if let account { memory.charge(cost, to: account) }
                sessions[id]?.hasQueued = true
                let queued = QueuedCommand(source: id, command: command.owned, path: path, queued: now.monotonic,
                                           account: account, cost: cost)
                if onDemand.enqueue(queued, for: name) { actions.append(.startZenka(name)) }
                return nil
            }
            return Refusal(.missing, Wire.clientNotPresent)
        }
        // Each session is looked up once per command and handed on (every look-up hashes).
        if let refusal = routeRefusal(targets.count, pathLength: command.path.count, source: source) {
            return Refusal(.limit, refusal)
        }
        guard let source else { return nil }
        let busy = configuration.limits.outputQueue / 2
        for target in targets {
            guard let session = sessions[target] else { continue }
            // A target that has not answered half an output queue's worth of commands gets
            // no more for now (docs/security.md "Resource limits"); links have TCP's own.
            if !session.isLink, session.unansweredBytes + command.byteCount > busy {
                actions.append(answer(id, command.id, .falseReply, Wire.targetBusy))
                continue
            }
            forward(command, remainder: path.remainder(of: command.path), from: source, to: session, now: now, actions: &actions)
        }
        return nil
    }

    /// Creates one route and writes the command to its target under a fresh target id.
    /// - Returns: the route's slot; nil when either session is gone.
    @discardableResult
    mutating func forward(_ command: Command, remainder: some Collection<UInt8>, from source: SessionID, to target: SessionID,
                          now: Timestamp, actions: inout [RouterAction]) -> RouteSlot? {
        guard let sourceSession = sessions[source], let targetSession = sessions[target] else { return nil }
        return forward(command.view, remainder: remainder, from: sourceSession, to: targetSession, now: now,
                       actions: &actions)
    }

    /// ``forward(_:remainder:from:to:now:actions:)`` between sessions already looked up.
    @discardableResult
    mutating func forward(_ command: CommandView, remainder: some Collection<UInt8>, from sourceSession: Session,
                          to targetSession: Session, now: Timestamp, actions: inout [RouterAction]) -> RouteSlot? {
        let source = sourceSession.id
        let target = targetSession.id
        let targetID = newTargetID(in: targetSession)
        // A heart is timed once, by the node where it entered the network, so the latency
        // covers every hop: towards another node, a path ending in `.heart`; towards a local
        // session, a remainder of just `heart`; never for a heart that arrived on a link.
        let isHeart = targetSession.isLink
            ? command.path.count > 6 && command.path.suffix(6).elementsEqual(".heart".utf8)
            : remainder.elementsEqual(Self.heart)
        let timedHeart = isHeart && command.multiline == nil && !(command.args.map { Bytes.equals($0, "notime") } ?? false)
            && !sourceSession.isLink
        // A door session (the manager) takes the command typed; its size is what the route counts.
        // Others get it rendered into the send being built for them (nothing is added to
        // `actions` between here and where the send used to be appended).
        let sent = targetSession.isDoor ? command.byteCount : actions.send(to: target) { out in
            if let multiline = command.multiline {
                Render.appendMultilineCommand(id: targetID, path: remainder, multiline, to: &out)
            } else {
                Render.appendCommand(id: targetID, path: remainder, args: command.args, to: &out)
            }
        }
        let routeID = nextRouteID
        nextRouteID += 1
        let slot = routes.insert(Route(id: routeID, source: source, sourceCommandID: command.id, target: target,
                                       sourceSession: sourceSession, targetSession: targetSession,
                                targetCommandID: targetID, path: routePath(command.path), started: now.monotonic,
                                lastActivity: now.monotonic, heartStarted: timedHeart ? now.monotonic : nil,
                                sentBytes: sent))
        targetSession.unansweredBytes += sent
        sourceSession.sourceRoutes.insert(slot)
        targetSession.targetRoutes[targetID] = slot
        if let account = sourceSession.account { memory.charge(Route.memoryCost(pathLength: command.path.count), to: account) }
        stats.commandsRouted += 1
        counters(of: targetSession).requests &+= 1
        if targetSession.isDoor {
            let typed = Command(id: targetID, path: Array(remainder), args: command.args.map(Array.init),
                                multiline: command.multiline)
            actions.append(.deliver(target, .command(typed)))
        }
        if !trafficWatch.isEmpty {
            watchCommand(command.owned, source: sourceSession, target: targetSession, targetID: targetID, now: now, actions: &actions)
        }
        return slot
    }

    /// The path a new route keeps (for `list routes`): the previous route's array when the
    /// bytes are the same, as they are for every command of a pipelined burst, so that a
    /// route costs no array of its own (docs/performance.md "Router CPU per pipelined request").
    mutating func routePath(_ path: ArraySlice<UInt8>) -> [UInt8] {
        if !Bytes.same(lastRoutePath, path) { lastRoutePath = Array(path) }
        return lastRoutePath
    }

    /// The remainder of a timed heart, compared as bytes for every routed command.
    private static let heart: [UInt8] = Array("heart".utf8)

    /// The counters of `session`'s user as a target; found by name once per session.
    mutating func counters(of session: Session) -> TargetCounters {
        if let counters = session.counters { return counters }
        let counters = targetCounters.counters(for: session.user)
        session.counters = counters
        return counters
    }

    /// Why session `id` may not open `count` more routes for `command`: too many open already
    /// (`limits.routes-per-session`), or past its memory share (docs/security.md "Resource
    /// limits"); nil when it may. Local fan-out and forwarding to another node ask the same.
    func routeRefusal(_ count: Int, for command: Command, from id: SessionID) -> String? {
        routeRefusal(count, pathLength: command.path.count, source: sessions[id])
    }

    /// ``routeRefusal(_:for:from:)`` for a source already looked up (nil: gone).
    func routeRefusal(_ count: Int, pathLength: Int, source: Session?) -> String? {
        guard let source, source.sourceRoutes.count + count <= configuration.limits.routesPerSession else {
            return "too many open routes"
        }
        guard let account = source.account else { return nil }
        return memory.refusal(count * Route.memoryCost(pathLength: pathLength), to: account)?.text
    }

    /// Sessions addressed by a path's first element (only logged-in ones).
    mutating func resolve(_ target: CommandPath.Target?) -> [SessionID] {
        switch target {
        case nil:
            return []
        case .session(let id):
            // A session withdrawn at the end of its input answers nothing (Router+InputEnd).
            return sessions[id]?.isReachable == true ? [id] : []
        case .name(let name):
            return users.cachedIDs(of: name)
        case .subname(let name, let sub):
            return users.cachedIDs(of: name).filter { sessions[$0]?.subname == sub }
        }
    }

    private func onDemandName(_ target: CommandPath.Target?) -> String? {
        switch target {
        case .name(let name), .subname(let name, _): name
        default: nil
        }
    }

    /// A 6-digit id not used by any open route of `target`.
    mutating func newTargetID(in target: Session) -> UInt64 {
        while true {
            let candidate = 100_000 + random.next() % 900_000
            if target.targetRoutes[candidate] == nil { return candidate }
        }
    }

    // MARK: - Replies

    /// Relays a reply from the session a route was sent to back to its source.
    /// The reply is read in place (its text a slice of its line); what keeps it takes a copy.
    mutating func relay(_ reply: ReplyView, from session: Session, now: Timestamp, actions: inout [RouterAction]) {
        let id = session.id
        guard let slot = session.targetRoutes[reply.id], routes.target(of: slot) == id else {
            actions.append(.event(.droppedReply(session: id, id: reply.id)))
            return
        }
        // The original's `STRM open [<n>]` announces a stream: like the original, relay nothing
        // and keep the route open (its clock restarts), so the chunks and the final reply that
        // follow reach the source (docs/protocol.md §5).
        if reply.keyword == .stream, reply.body == nil, Wire.isStreamOpen(reply.text) {
            routes.touch(slot, at: now.monotonic)
            return
        }
        // `SIZE`/`STRM` without a valid count: the source learns the reply was unusable.
        let malformed = reply.keyword.hasBody && reply.body == nil
        let closes = reply.keyword.closesRoute || malformed
        // A final reply takes its route out of the table (moved, not copied).
        guard let route = closes ? endRoute(slot) : routes[slot] else { return }
        // A source that sent its end of input closes after the reply to its last command.
        defer { if closes, route.sourceSession.inputEnded { settleEndedInput(route.sourceSession, now: now, actions: &actions) } }
        if case .leaseRequest(let lease) = route.purpose, closes {
            return leaseAnswered(lease, reply: reply.owned, route: route, now: now, actions: &actions)
        }
        if case .burst(let name, let action) = route.purpose {
            if closes { burstAnswered(action, for: name, reply: reply.owned, now: now, actions: &actions) }
            return
        }
        var refusal: MarketRefusal?
        if case .remoteAcquire(let node, let user, let price, let amount, let ttl) = route.purpose, closes {
            refusal = remoteLeaseGranted(reply.owned, node: node, user: user, session: route.source,
                                         asked: (price, amount, ttl), wall: now.wall, actions: &actions)
        } else if case .remoteRelease(let node, let lease) = route.purpose, closes, reply.keyword == .trueReply {
            remoteLeaseReleased(reply.text, node: node, lease: lease, wall: now.wall, actions: &actions)
        } else if case .remoteRenew(let node, let lease, let ttl) = route.purpose, closes, reply.keyword == .trueReply {
            remoteLeaseRenewed(reply.text, node: node, lease: lease, asked: ttl, wall: now.wall)
        }
        stats.repliesRelayed += 1
        stats.repliesByKeyword[reply.keyword.index] &+= 1
        if closes {
            let latency = now.monotonic &- route.started
            stats.routeLatency.record(latency)
            route.targetSession.counters?.latency.record(latency)
            if case .pooled(let name, _) = route.purpose {
                pools.answered(name, latency: latency, error: reply.keyword == .falseReply || malformed)
            } else {
                route.targetSession.counters?.answers.answered(latency: latency,
                                                               error: reply.keyword == .falseReply || malformed)
            }
        }
        let sourceID = route.sourceCommandID
        // A grant this node refused is answered with the refusal instead (docs/market.md
        // "Prices and credits"), after the route's figures counted B's reply as any other.
        if let refusal {
            if !trafficWatch.isEmpty { watchReply(reply.owned, route: route, now: now, actions: &actions) }
            return actions.append(answer(route.source, sourceID, .falseReply, refusal.text))
        }
        let changed = changedReply(reply, route: route, malformed: malformed, now: now)
        // Through the door the reply stays typed: nothing is rendered for the mount or the manager.
        if route.sourceSession.isDoor {
            let relayed = changed ?? ReplyView(id: sourceID, keyword: reply.keyword, text: reply.text, body: reply.body)
            actions.append(.deliver(route.source, .reply(relayed.owned)))
        } else if let changed {
            let unit = route.sourceSession.decoder.sizeUnit
            actions.send(to: route.source) { Render.append(changed, unit: unit, to: &$0) }
        } else {
            // Most replies go back as they came but for the id: rendered from the line read,
            // with no reply built in between (a copy of its text, retained and released).
            actions.send(to: route.source) { Render.appendReply(id: sourceID, reply.keyword, reply.text, to: &$0) }
        }
        if !trafficWatch.isEmpty { watchReply(reply.owned, route: route, now: now, actions: &actions) }
        if !closes { routes.touch(slot, at: now.monotonic) }
        if closes, case .pooled(let name, _) = route.purpose, pools.hasWaiting(name) {
            drainPool(name, now: now, actions: &actions)
        }
    }

    /// What the source of `route` gets for `reply` when it is more than the reply under the
    /// source's id: `protocol mismatch` for a malformed one, `UNDEFINED` for an empty text, a
    /// timed heart's latency, a body rendered in the source's unit; nil when it is just that
    /// (``relay(_:from:now:actions:)`` then renders it from the line read).
    ///
    /// Inlined: called, its optional view came back through memory for every reply, about 90
    /// router instructions per request (callgrind, docs/performance.md).
    @inline(__always)
    private func changedReply(_ reply: ReplyView, route: Route, malformed: Bool, now: Timestamp) -> ReplyView? {
        if malformed {
            return ReplyView(id: route.sourceCommandID, keyword: .falseReply, text: ArraySlice(Wire.protocolMismatch.utf8))
        }
        if reply.keyword.hasBody { return ReplyView(id: route.sourceCommandID, keyword: reply.keyword, body: reply.body) }
        let timed = reply.keyword == .trueReply ? route.heartStarted : nil
        guard reply.text.isEmpty || timed != nil else { return nil }
        var relayed = ReplyView(id: route.sourceCommandID, keyword: reply.keyword, body: reply.body)
        relayed.text = reply.text.isEmpty ? ArraySlice("UNDEFINED".utf8) : reply.text
        if let timed { relayed.text += Array(" [ \(Self.seconds(now.monotonic &- timed)) secs ]".utf8) }
        return relayed
    }

    /// Removes a route from the table and from both sessions' indexes; returns it.
    @discardableResult
    mutating func endRoute(_ slot: RouteSlot) -> Route? {
        guard let route = routes.remove(slot) else { return nil }
        if let account = route.sourceSession.account {
            memory.charge(-Route.memoryCost(pathLength: route.path.count), to: account)
            if account.sessions <= 0 { memory.release(account) }
        }
        route.sourceSession.sourceRoutes.remove(slot)
        route.targetSession.targetRoutes[route.targetCommandID] = nil
        route.targetSession.unansweredBytes -= route.sentBytes
        if case .pooled(let name, let node) = route.purpose { pooledRouteEnded(name: name, node: node) }
        return route
    }

    /// Answers `FALSE route timeout` for routes idle longer than the configured timeout.
    mutating func expireRoutes(now: Timestamp, actions: inout [RouterAction]) {
        let timeout = UInt64(configuration.routeTimeoutSeconds) * 1_000_000_000
        guard timeout > 0 else { return }
        let expired = routes.ordered { now.monotonic &- $0.lastActivity >= timeout }
        for (slot, route) in expired where routes.holds(slot, id: route.id) {
            if case .burst(let name, let action) = route.purpose {
                endRoute(slot)
                burstFailed(action, for: name, now: now, actions: &actions)
                continue
            }
            actions.append(answer(route.source, route.sourceCommandID, .falseReply, Wire.routeTimeout))
            stats.routesTimedOut += 1
            endRoute(slot)
            routeFailed(route)
            if case .leaseRequest(let lease) = route.purpose { refuseLease(lease, actions: &actions) }
        }
    }

    /// `secs` with five decimals, as the original's `%.5f`.
    static func seconds(_ nanoseconds: UInt64) -> String {
        let hundredThousandths = (nanoseconds + 5_000) / 10_000
        let fraction = String(hundredThousandths % 100_000)
        return "\(hundredThousandths / 100_000)." + String(repeating: "0", count: 5 - fraction.count) + fraction
    }
}
