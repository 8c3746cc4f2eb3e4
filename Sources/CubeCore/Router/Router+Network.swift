// Links, adverts and forwarding between nodes (docs/protocol.md §8.3, docs/network.md). The
// link-state database is a `Topology`; this file connects it to sessions and routes.
extension Router {
    /// The link-state database, for observers (`nodes/` in the mount); nil without a network.
    public var topology: Topology? { network?.topology }

    /// Live link sessions per neighbour node, oldest first.
    public var linkSessions: [String: [SessionID]] { network?.links ?? [:] }

    // MARK: - Inputs from the link dialer

    /// An outbound link finished its `c25519` handshake with the trusted node `node`: opens it
    /// as a logged-in session (user `node`) that is a link.
    /// - Parameters:
    ///   - node: the node whose key the server proved.
    ///   - address: the `tcp:HOST:PORT` that was dialled.
    /// - Returns: the session and the actions (adverts for the new neighbour); no session when
    ///   the router takes no part in a network or `node` names this node.
    public mutating func linkConnected(node: String, address: PeerAddress, now: Timestamp) -> (SessionID?, [RouterAction]) {
        // Dialling an address on purpose (`link tcp:…`) lifts an earlier `unlink` of its node.
        if network?.peers[address] != nil { network?.refused.remove(node) }
        guard acceptsLink(from: node) else { return (nil, []) }
        let id = addSessionWithoutLogin(transport: .tcp, now: now)
        network?.peers[address]?.node = node
        network?.peers[address]?.lastError = nil
        var actions: [RouterAction] = []
        openLink(id, LinkInfo(node: node, address: address.description, peer: address), now: now, actions: &actions)
        return (id, actions)
    }

    /// Whether a session proving `node`'s key may become a link: this node takes part in a
    /// network, `node` is a valid name other than its own, and it was not unlinked here.
    func acceptsLink(from node: String) -> Bool {
        inNetwork && node != configuration.nodeName && Names.isUserName(node.utf8)
            && network?.refused.contains(node) == false
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
    public mutating func peerStatus(_ address: PeerAddress, error: String?, origin: PeerSource = .discovered) {
        guard inNetwork else { return }
        var record = network?.peers[address] ?? PeerRecord(source: origin)
        record.lastError = error
        network?.peers[address] = record
    }

    /// Whether `node` was unlinked here (its links are refused until `link`).
    public func isUnlinked(_ node: String) -> Bool { network?.refused.contains(node) ?? false }

    /// Whether a link to `node` is up.
    public func isLinked(to node: String) -> Bool { network?.hasLink(to: node) == true }

    // MARK: - Link life cycle

    /// A link session logged in: tell the new neighbour everything known, then re-advertise.
    mutating func linkOpened(_ id: SessionID, _ link: LinkInfo, now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        let first = network?.links[link.node]?.isEmpty ?? true
        network?.links[link.node, default: []].append(id)
        actions.append(.event(.link(node: link.node, session: id, up: true)))
        // A second link to the same node (both sides dialled) is a spare: nothing changes.
        guard first else { return }
        let reachable = reachableSet
        // Rotations first: the adverts that follow may be signed by a rotated key.
        rotationsForNewLink(id, actions: &actions)
        let adverts = network?.topology.linkUp(link.node) ?? []
        for advert in adverts { actions.append(.send(id, Self.advertCommand(advert))) }
        revocationsForNewLink(id, actions: &actions)
        leasesLinkReturned(link.node, wall: now.wall, actions: &actions)
        publishAdvert(now: now, actions: &actions)
        reportReachability(since: reachable, actions: &actions)
    }

    /// A link session is gone; its routes have collapsed already. When it was the last link to
    /// that node, routing stops using the node and the network hears about it.
    mutating func linkClosed(_ id: SessionID, _ link: LinkInfo, now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        network?.links[link.node]?.removeAll { $0 == id }
        actions.append(.event(.link(node: link.node, session: id, up: false)))
        guard network?.links[link.node]?.isEmpty ?? false else { return }
        network?.links[link.node] = nil
        let reachable = reachableSet
        network?.topology.linkDown(link.node)
        publishAdvert(now: now, actions: &actions)
        reportReachability(since: reachable, actions: &actions)
    }

    /// The session that carries traffic to neighbour `node`.
    func linkSession(to node: String) -> SessionID? { network?.links[node]?.first }

    // MARK: - Adverts

    /// Signs and floods a new advert of this node (its links, zenki or offers changed, or the
    /// refresh interval passed).
    mutating func publishAdvert(now: Timestamp, actions: inout [RouterAction]) {
        guard var state = network else { return }
        // Sequence numbers follow the clock, so they keep rising across restarts; several
        // adverts within a millisecond simply count on.
        state.sequence = max(state.sequence + 1, UInt64(max(now.wall, 0)) * 1000)
        let advert = state.topology.localAdvert(seq: state.sequence, zenki: advertisedZenki, offers: advertisedOffers,
                                                loads: advertisedLoads, now: now.wall).signed(by: state.signer)
        let neighbours = state.topology.publish(advert) ?? []
        state.lastPublished = now.wall
        network = state
        stats.advertsPublished += 1
        send(Self.advertCommand(advert), toNeighbours: neighbours, actions: &actions)
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
        allOffers.lazy.filter { $0.detachedUntil == nil }.prefix(LinkStateAdvert.maximumOffers).map { offer in
            var advertised = AdvertOffer(offer, reputation: market.reputationAttributes(of: offer.providerUser))
            // A compute offer's load is live, not a fixed attribute (docs/pooling.md "Bursts").
            if ComputeLeases.lendsInstances(kind: offer.kind, attributes: offer.attributes), advertised.attributes.count < AdvertOffer.maximumAttributes {
                advertised = AdvertOffer(id: advertised.id, kind: advertised.kind, capacity: advertised.capacity,
                                         available: advertised.available,
                                         attributes: advertised.attributes + [computeLoad(offer)])
            }
            return advertised
        }.filter(\.isWellFormed)
    }

    /// An `advert` arrived on the link from `neighbour`.
    mutating func receiveAdvert(_ command: Command, from neighbour: String, now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        guard let multiline = command.multiline, multiline.headers.isEmpty,
              let advert = LinkStateAdvert(parsing: multiline.body.flatMap { $0 + [Wire.lf] })
        else {
            actions.append(.event(.advertRejected(origin: "-", from: neighbour, reason: "malformed")))
            return
        }
        stats.advertsReceived += 1
        let reachable = reachableSet
        guard let decision = network?.topology.accept(advert, from: neighbour, now: now.wall) else { return }
        switch decision {
        case .accepted(let forwardTo):
            send(Self.advertCommand(advert), toNeighbours: forwardTo, actions: &actions)
            reportReachability(since: reachable, actions: &actions)
            // Instances that joined on that node take what waits here (docs/pooling.md "Queue").
            for load in advert.loads where pools.hasWaiting(load.name) { drainPool(load.name, now: now, actions: &actions) }
        case .stale:
            return  // a flooding duplicate: normal
        case .aboutLocalNode(let sequence):
            // An earlier run of this node used higher numbers: continue above them.
            if let current = network?.sequence, sequence >= current {
                network?.sequence = sequence
                publishAdvert(now: now, actions: &actions)
            }
        default:
            actions.append(.event(.advertRejected(origin: advert.origin, from: neighbour, reason: "\(decision)")))
        }
    }

    /// Periodic network work: expire silent origins, re-advertise when the zenki or offers
    /// changed or the refresh interval passed, keep links alive and close silent ones.
    mutating func networkTick(now: Timestamp, actions: inout [RouterAction]) {
        guard let state = network else { return }
        let reachable = reachableSet
        if !(network?.topology.expire(now: now.wall).isEmpty ?? true) {
            reportReachability(since: reachable, actions: &actions)
        }
        let published = state.topology.publishedAdvert
        let changed = published?.zenki != advertisedZenki || published?.offers != advertisedOffers
            || published?.loads != advertisedLoads
        let refreshDue = now.wall &- state.lastPublished >= Int64(configuration.network.advertIntervalSeconds)
        if changed || refreshDue { publishAdvert(now: now, actions: &actions) }

        let timeout = UInt64(configuration.network.linkTimeoutSeconds) * 1_000_000_000
        let links = state.links.values.flatMap { $0 }.sorted()
        for id in links {
            guard let session = sessions[id], now.monotonic &- session.lastHeard > timeout else { continue }
            actions.append(.send(id, Render.terminate("link silent for \(configuration.network.linkTimeoutSeconds) s")))
            close(id, now: now, actions: &actions)
        }
        guard now.monotonic &- state.lastKeepAlive >= timeout / 3 else { return }
        network?.lastKeepAlive = now.monotonic
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
        guard let next = nextHop(towards: node), let link = linkSession(to: next) else {
            return Refusal(.missing, Wire.clientNotPresent)
        }
        guard let budget = fromLink ? hops.decremented() : hops else { return Refusal(.limit, Wire.hopLimitExceeded) }
        if let refusal = routeRefusal(1, for: command, from: id) { return Refusal(.limit, refusal) }
        let slot = forward(command, remainder: budget.prefixing(command.path), from: id, to: link, now: now, actions: &actions)
        if let slot, let purpose { routes.setPurpose(purpose, of: slot) }
        return nil
    }

    /// The neighbour traffic for `node` goes to: the first step of the shortest live path, or
    /// `node` itself when it is a neighbour whose advert has not arrived yet.
    func nextHop(towards node: String) -> String? {
        network?.topology.nextHop(to: node) ?? (isLinked(to: node) ? node : nil)
    }

    /// `<this node>.rest` is `rest` here (docs/protocol.md §8.3): strips the node's own name.
    func stripLocalNode(_ path: inout [UInt8]) {
        guard inNetwork else { return }
        let name = configuration.nodeName.utf8
        guard path.count > name.count, path.starts(with: name), path[name.count] == UInt8(ascii: ".")
        else { return }
        path.removeFirst(name.count + 1)
    }

    /// Whether `name` is a remote node this router can route to by name: in the topology, or a
    /// live neighbour.
    func isRemoteNode(_ name: String) -> Bool {
        // Not `guard let network`: that would copy the whole state for every routed command.
        guard inNetwork, name != configuration.nodeName else { return false }
        return network?.topology.knows(name) == true || network?.hasLink(to: name) == true
    }

    // MARK: - Observers

    /// Remote nodes a path leads to now.
    private var reachableSet: Set<String> {
        Set(network?.topology.reachableNodes.filter { $0 != configuration.nodeName } ?? [])
    }

    /// Emits `node … reachable/unreachable` for every node whose reachability changed.
    private func reportReachability(since before: Set<String>, actions: inout [RouterAction]) {
        let after = reachableSet
        for name in after.subtracting(before).sorted() { actions.append(.event(.node(name: name, reachable: true))) }
        for name in before.subtracting(after).sorted() { actions.append(.event(.node(name: name, reachable: false))) }
    }
}
