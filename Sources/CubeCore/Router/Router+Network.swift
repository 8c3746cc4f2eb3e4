// Links, adverts and forwarding between nodes (docs/protocol.md §8.3, docs/network.md). The
// link-state database is a `Topology`; this file connects it to sessions and routes.
extension Router {
    /// The link-state database, for observers (`nodes/` in the mount); nil without a network.
    package var topology: Topology? { network?.topology }

    /// Live link sessions per neighbour node, oldest first.
    package var linkSessions: [String: [SessionID]] { network?.links ?? [:] }

    // MARK: - Inputs from the link dialer

    /// An outbound link finished its `c25519` handshake with the trusted node `node`: opens it
    /// as a logged-in session (user `node`) that is a link.
    /// - Parameters:
    ///   - node: the node whose key the server proved.
    ///   - address: the `tcp:HOST:PORT` that was dialled.
    /// - Returns: the session and the actions (adverts for the new neighbour); no session when
    ///   the router takes no part in a network or `node` names this node.
    package mutating func linkConnected(node: String, address: PeerAddress, now: Timestamp) -> (SessionID?, [RouterAction]) {
        guard network?.dialled(address, reached: node) == true else { return (nil, []) }
        let id = addSessionWithoutLogin(transport: .tcp, now: now)
        var actions: [RouterAction] = []
        openLink(id, LinkInfo(node: node, address: address.description, peer: address), now: now, actions: &actions)
        return (id, actions)
    }

    /// Whether a session proving `node`'s key may become a link: this node takes part in a
    /// network, `node` is a valid name other than its own, and it was not unlinked here.
    func acceptsLink(from node: String) -> Bool {
        network?.accepts(node) == true
    }

    /// Makes session `id` the link `link` and logs it in as the node (user = node name).
    mutating func openLink(_ id: SessionID, _ link: LinkInfo, now: Timestamp, actions: inout [RouterAction]) {
        sessions[id]?.link = link
        sessions[id]?.lastHeard = now.monotonic
        activate(id, user: link.node, subname: nil, kind: .link, method: nil, now: now, actions: &actions)
    }

    /// The dialer's latest news about a peer address (shown by `links`).
    /// - Parameters:
    ///   - address: the peer's address.
    ///   - error: why the last attempt failed; nil once it succeeded.
    ///   - origin: where the address came from, for an address not known yet (discovery).
    package mutating func peerStatus(_ address: PeerAddress, error: String?, origin: PeerSource = .discovered) {
        network?.peerStatus(address, error: error, origin: origin)
    }

    /// Whether `node` was unlinked here (its links are refused until `link`).
    package func isUnlinked(_ node: String) -> Bool { network?.refused.contains(node) ?? false }

    /// Whether a link to `node` is up.
    package func isLinked(to node: String) -> Bool { network?.hasLink(to: node) == true }

    // MARK: - Link life cycle

    /// A link session logged in: tell the new neighbour everything known, then re-advertise.
    mutating func linkOpened(_ id: SessionID, _ link: LinkInfo, now: Timestamp, actions: inout [RouterAction]) {
        settleTopology(now: now, actions: &actions)
        guard let reachable = network?.reachable else { return }
        let adverts = network?.linkUp(id, to: link.node)
        actions.append(.event(.link(node: link.node, session: id, up: true)))
        // A second link to the same node (both sides dialled) is a spare: nothing changes. A
        // dialer still speaks at once: the far side opens the link at its first message.
        guard let adverts else {
            if link.outbound { actions.append(.send(id, Wire.line("link-alive"))) }
            return
        }
        // Rotations first: the adverts that follow may be signed by a rotated key.
        rotationsForNewLink(id, actions: &actions)
        for advert in adverts { actions.append(.send(id, Self.advertCommand(advert))) }
        revocationsForNewLink(id, actions: &actions)
        leasesLinkReturned(link.node, wall: now.wall, actions: &actions)
        publishAdvert(now: now, actions: &actions)
        reportReachability(since: reachable, actions: &actions)
    }

    /// A link session is gone; its routes have collapsed already. When it was the last link to
    /// that node, routing stops using the node and the network hears about it.
    mutating func linkClosed(_ id: SessionID, _ link: LinkInfo, now: Timestamp, actions: inout [RouterAction]) {
        settleTopology(now: now, actions: &actions)
        guard let reachable = network?.reachable else { return }
        let last = network?.linkDown(id, to: link.node) == true
        actions.append(.event(.link(node: link.node, session: id, up: false)))
        guard last else { return }
        publishAdvert(now: now, actions: &actions)
        reportReachability(since: reachable, actions: &actions)
    }

    /// The session that carries traffic to neighbour `node`.
    func linkSession(to node: String) -> SessionID? { network?.linkSession(to: node) }

    // MARK: - Adverts

    /// Signs and floods a new advert of this node (its links, zenki or offers changed, or the
    /// refresh interval passed).
    mutating func publishAdvert(now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        let (zenki, offers, loads) = (advertisedZenki, advertisedOffers, advertisedLoads)
        guard let (advert, neighbours) = network?.publish(zenki: zenki, offers: offers, loads: loads, now: now.wall) else { return }
        stats.advertsPublished += 1
        send(Self.advertCommand(advert), toNeighbours: neighbours, actions: &actions)
    }

    /// Publishes when a balanced zenka has more instances here than the last advert says (one
    /// logged in), so that other nodes' dispatch reaches a new instance, a burst's above all,
    /// without waiting for the tick: at most one such advert per 100 ms, so instances logging
    /// in one after the other share adverts, and at most ``AdvertBudget`` of them. Fewer
    /// instances, and a change of outstanding counts alone, wait for the tick (at most one
    /// advert a second, docs/pooling.md "Surges").
    /// - Returns: whether new instances wait for their 100 ms.
    mutating func publishInstanceChanges(now: Timestamp, actions: inout [RouterAction]) -> Bool {
        guard inNetwork, let published = network?.topology.publishedAdvert?.loads else { return false }
        let before = Dictionary(published.map { ($0.name, $0.instances) }, uniquingKeysWith: max)
        guard advertisedLoads.contains(where: { $0.instances > before[$0.name] ?? 0 }) else { return false }
        if let last = pools.instancesPublished, now.monotonic &- last < 100_000_000 { return true }
        guard pools.advertBudget.take(now: now.monotonic) else { return false }
        pools.instancesPublished = now.monotonic
        publishAdvert(now: now, actions: &actions)
        return false
    }

    /// Sends `bytes` on the link that carries traffic to each of `neighbours`.
    func send(_ bytes: [UInt8], toNeighbours neighbours: [String], actions: inout [RouterAction]) {
        for neighbour in neighbours {
            if let link = linkSession(to: neighbour) { actions.append(.send(link, bytes)) }
        }
    }

    /// The `advert` command that carries `advert` over a link: a multi-line command without
    /// id whose body is the advert's text form. It is never answered.
    static func advertCommand(_ advert: LinkStateAdvert) -> [UInt8] {
        let lines = advert.render().split(separator: Wire.lf, omittingEmptySubsequences: false).dropLast().map(Array.init)
        return Render.multilineCommand(id: 0, path: "advert".utf8, Multiline(headers: [], body: lines))
    }

    /// Zenka names as this node advertises them (within the advert's limits).
    var advertisedZenki: [String] { Array(zenkaNames.prefix(LinkStateAdvert.maximumZenki)) }

    /// Offers as this node advertises them (within the advert's limits).
    var advertisedOffers: [AdvertOffer] {
        market.orderedOffers.lazy.filter { $0.detachedUntil == nil }.prefix(LinkStateAdvert.maximumOffers).map { offer in
            let advertised = AdvertOffer(offer, reputation: market.reputationAttributes(of: offer.providerUser))
            // A compute offer's load is live, not a fixed attribute (docs/pooling.md "Bursts");
            // within the line (before, a long one made other nodes reject the whole advert).
            guard ComputeLeases.lendsInstances(kind: offer.kind, attributes: offer.attributes) else { return advertised }
            return advertised.adding(computeLoad(offer))
        }.filter(\.isWellFormed)
    }

    /// An `advert` arrived on the link from `neighbour`.
    mutating func receiveAdvert(_ command: Command, from neighbour: String, now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        guard let multiline = command.multiline, multiline.headers.isEmpty,
              let advert = LinkStateAdvert(parsing: multiline.body.flatMap { $0 + [Wire.lf] })
        else {
            reportRejection(origin: "-", from: neighbour, reason: "malformed", now: now, actions: &actions)
            return
        }
        stats.advertsReceived += 1
        guard let (decision, changed) = network?.topology.store(advert, from: neighbour, now: now.wall) else { return }
        switch decision {
        case .accepted(let forwardTo):
            send(Self.advertCommand(advert), toNeighbours: forwardTo, actions: &actions)
            // The routes, and what follows from them, once for the turn (settleTopology).
            if changed, network?.reachableBeforeChange == nil {
                let reachable = network?.reachable  // the table is not recomputed yet
                network?.reachableBeforeChange = reachable
            }
            // Instances that joined on that node take what waits here (docs/pooling.md "Queue").
            for load in advert.loads where pools.hasWaiting(load.name) { network?.loadsArrived.insert(load.name) }
        case .stale:
            return  // a flooding duplicate: normal
        case .aboutLocalNode(let sequence):
            // An earlier run of this node used higher numbers: continue above them.
            if network?.ownSequenceSeen(sequence) == true { publishAdvert(now: now, actions: &actions) }
        case .databaseFull:
            reportFullDatabase(origin: advert.origin, from: neighbour, now: now, actions: &actions)
        default:
            reportRejection(origin: advert.origin, from: neighbour, reason: "\(decision)", now: now, actions: &actions)
        }
    }

    /// After a turn of a link's adverts: recomputes the routes once if they changed the graph,
    /// reports what became reachable or not, and drains the queues of balanced zenki whose
    /// instances joined elsewhere. Also before anything else reads or changes the routes.
    mutating func settleTopology(now: Timestamp, actions: inout [RouterAction]) {
        guard network?.unsettled == true else { return }
        if let before = network?.reachableBeforeChange {
            network?.reachableBeforeChange = nil
            network?.topology.recompute()
            reportReachability(since: before, actions: &actions)
        }
        guard let arrived = network?.loadsArrived, !arrived.isEmpty else { return }
        network?.loadsArrived = []
        for name in arrived.sorted() where pools.hasWaiting(name) { drainPool(name, now: now, actions: &actions) }
    }

    /// Warns of adverts refused for a full database at most once a minute per neighbour, with
    /// how many were refused since: a hostile node's flood must not become a flood of log lines.
    /// Reports a record from `neighbour` this node refused, at most 20 times per neighbour in
    /// 10 s; the first report after a quiet window says how many were not. Every refusal was
    /// a warning in the log before: 50,000 malformed adverts from one neighbour wrote 4.4 MB
    /// of log (docs/security.md: a flood must not fill the disk; a hostile tester's finding).
    mutating func reportRejection(origin: String, from neighbour: String, reason: String, now: Timestamp,
                                  actions: inout [RouterAction]) {
        var entry = network?.rejectionReports[neighbour] ?? (since: now.wall, reported: 0, unreported: 0)
        var note = ""
        if now.wall - entry.since >= 10 {
            if entry.unreported > 0 { note = " (\(entry.unreported) more from \(neighbour) not logged before this)" }
            entry = (since: now.wall, reported: 0, unreported: 0)
        }
        if entry.reported < 20 {
            entry.reported += 1
            actions.append(.event(.advertRejected(origin: origin, from: neighbour, reason: reason + note)))
        } else {
            entry.unreported += 1
        }
        network?.rejectionReports[neighbour] = entry
    }

    private mutating func reportFullDatabase(origin: String, from neighbour: String, now: Timestamp,
                                             actions: inout [RouterAction]) {
        stats.advertsRefusedFull += 1
        var entry = network?.fullRefusals[neighbour] ?? (count: 0, reported: nil)
        entry.count += 1
        if entry.reported.map({ now.wall - $0 >= 60 }) ?? true {
            let limits = network?.topology.limits ?? TopologyLimits()
            let held = "\(network?.topology.heldNodeCount ?? 0) nodes, \(network?.topology.databaseBytes ?? 0) bytes"
            let reason = "database full [ \(held); network.max-nodes \(limits.nodes), network.max-database "
                + "\(limits.databaseBytes) ] (\(entry.count) refused from \(neighbour) since the last warning)"
            actions.append(.event(.advertRejected(origin: origin, from: neighbour, reason: reason)))
            entry = (count: 0, reported: now.wall)
        }
        network?.fullRefusals[neighbour] = entry
    }

    /// Periodic network work: expire silent origins, re-advertise when the zenki or offers
    /// changed or the refresh interval passed, keep links alive and close silent ones.
    mutating func networkTick(now: Timestamp, actions: inout [RouterAction]) {
        settleTopology(now: now, actions: &actions)
        guard let reachable = network?.reachable else { return }
        if !(network?.topology.expire(now: now.wall).isEmpty ?? true) {
            reportReachability(since: reachable, actions: &actions)
        }
        if network?.publishDue(zenki: advertisedZenki, offers: advertisedOffers, loads: advertisedLoads, now: now.wall,
                               interval: configuration.network.advertIntervalSeconds) == true {
            publishAdvert(now: now, actions: &actions)
        }
        let timeout = UInt64(configuration.network.linkTimeoutSeconds) * 1_000_000_000
        let links = network?.linkIDs ?? []
        for id in links {
            guard let session = sessions[id], now.monotonic &- session.lastHeard > timeout else { continue }
            actions.append(.send(id, Render.terminate("link silent for \(configuration.network.linkTimeoutSeconds) s")))
            close(id, now: now, actions: &actions)
        }
        guard network?.keepAliveDue(now: now.monotonic, timeout: timeout) == true else { return }
        for id in links where sessions[id] != nil { actions.append(.send(id, Wire.line("link-alive"))) }
    }

    // MARK: - Forwarding

    /// Sends a command whose first path element names the remote node `node` towards it,
    /// path unchanged behind a hop element (``HopCount``).
    /// - Parameters:
    ///   - hops: the budget the command arrived with (``HopCount/initial`` from a local session).
    ///   - fromLink: whether the command arrived on a link (then one hop is spent here).
    mutating func forwardToNode(_ command: Command, node: String, hops: HopCount, fromLink: Bool, from id: SessionID,
                                purpose: RoutePurpose? = nil, now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        forwardToNode(command.view, node: node, hops: hops, fromLink: fromLink, from: sessions[id], purpose: purpose,
                      now: now, actions: &actions)
    }

    /// ``forwardToNode(_:node:hops:fromLink:from:purpose:now:actions:)-(Command,_,_,_,_,_,_,_)``
    /// of a command read in place, from a source already looked up (nil: gone). Every command
    /// a transit node passes on comes this way: nothing is copied but the prefixed path.
    mutating func forwardToNode(_ command: CommandView, node: String, hops: HopCount, fromLink: Bool, from source: Session?,
                                purpose: RoutePurpose? = nil, now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        var next = nextHop(towards: node)
        // Adverts of this turn not yet applied (settleTopology): a route that is missing, or
        // leads back where the command came from, may be stale; applied first then, else a
        // command bounced between two nodes until its hop limit (a reviewer). Only then: an
        // advert and a command in turn would otherwise cost a recomputation each again.
        if network?.unsettled == true, next == nil || next == source?.link?.node {
            settleTopology(now: now, actions: &actions)
            next = nextHop(towards: node)
        }
        guard let next, let link = linkSession(to: next) else {
            return Refusal(.missing, Wire.clientNotPresent)
        }
        guard let budget = fromLink ? hops.decremented() : hops else { return Refusal(.limit, Wire.hopLimitExceeded) }
        if let refusal = routeRefusal(1, pathLength: command.path.count, source: source) { return Refusal(.limit, refusal) }
        guard let source, let linkSession = sessions[link] else { return nil }
        let slot = forward(command, remainder: budget.prefixing(command.path), from: source, to: linkSession, now: now,
                           actions: &actions)
        if let slot, let purpose { routes.setPurpose(purpose, of: slot) }
        return nil
    }

    /// The neighbour traffic for `node` goes to: the first step of the shortest live path, or
    /// `node` itself when it is a neighbour whose advert has not arrived yet.
    func nextHop(towards node: String) -> String? { network?.nextHop(towards: node) }

    /// `<this node>.rest` is `rest` here (docs/protocol.md §8.3): strips the node's own name.
    func stripLocalNode(_ path: inout ArraySlice<UInt8>) {
        guard inNetwork else { return }
        let name = configuration.nodeName.utf8
        let count = name.count
        guard path.count > count, path[path.startIndex + count] == UInt8(ascii: ".") else { return }
        // Compared on the name's contiguous bytes: a generic walk of its UTF-8 view cost a
        // node about 1 % of its CPU per forwarded command.
        let named = name.withContiguousStorageIfAvailable { path.prefix(count).elementsEqual($0) }
            ?? path.starts(with: name)
        guard named else { return }
        path.removeFirst(count + 1)
    }

    /// Whether `name` is a remote node this router can route to by name: in the topology, or a
    /// live neighbour.
    func isRemoteNode(_ name: String) -> Bool {
        // Not `guard let network`, nor `network?.topology.knows(…)`: each copied a whole state
        // (every field retained and released) for every routed command; one call on the
        // optional borrows it (docs/performance.md "Across nodes").
        guard inNetwork, name != configuration.nodeName else { return false }
        return network?.isRemote(name) == true
    }

    /// Whether `name` is a participant of this node: logged in here, configured as a zenka
    /// here (the manager starts it), or on demand. Such a name is never taken for a node of
    /// the same name: a trusted neighbour flooding an advert for a node called `calc` or `v7`
    /// made every node send it the commands for its own `calc` and `v7` and print its forged
    /// answers (a hostile tester's finding; docs/network.md "Names").
    func isLocalName(_ name: String) -> Bool {
        // A link to a neighbour is a session under the neighbour's name: more sessions than
        // links means a participant of that name is logged in here. Counted, not listed: this
        // runs for every command sent on to another node.
        users.count(of: name) > (network?.linkCount(to: name) ?? 0)
            || configuration.zenki[name] != nil || onDemand.contains(name)
    }

    /// Emits `node … reachable/unreachable` for every node whose reachability changed.
    private func reportReachability(since before: Set<String>, actions: inout [RouterAction]) {
        for event in network?.reachabilityEvents(since: before) ?? [] { actions.append(.event(event)) }
    }
}
