/// The router's part in a network of cubes (docs/protocol.md §8.3, docs/network.md): the
/// link-state database, the live links per neighbour, the peers being dialled, this node's
/// advert sequence and the timing of re-adverts and keep-alives.
///
/// A pure machine: the router tells it which links came up or went down and when, and it
/// answers with what to send (adverts, keep-alives) and what changed (reachability). It knows
/// sessions only by id; closing them and sending bytes stay the router's.
struct NetworkState: Sendable {
    var topology: Topology
    /// Signs this node's adverts (held by reference: see ``Held``).
    var signer: any AdvertSigner { heldSigner.value }
    private let heldSigner: Held<any AdvertSigner>
    /// The sequence number of this node's latest advert.
    var sequence: UInt64 = 0
    /// When this node last published its advert (wall seconds); `.min` = never.
    var lastPublished: Int64 = .min
    /// When keep-alives last went out on every link (monotonic ns).
    var lastKeepAlive: UInt64 = 0
    /// Live link sessions per neighbour, oldest first; the first one carries traffic.
    var links: [String: [SessionID]] = [:]
    /// Peers being dialled, by address: what the `links` table shows for them.
    var peers: [PeerAddress: PeerRecord] = [:]
    /// Nodes unlinked here: links from them are refused until `link <node>` (otherwise a
    /// node that dials this one would simply come back).
    var refused: Set<String> = []
    /// Other nodes' key rotations learned with valid proofs (docs/security.md, "Node key rotation").
    var rotations = NodeKeyRotations()
    /// This node's own proof, if its key replaced an earlier one.
    var ownRotation: NodeKeyRotation?
    /// Adverts of the current turn changed the graph: the nodes reachable before them, until
    /// the router recomputes the routes once for the lot (`Router.settleTopology`).
    var reachableBeforeChange: Set<String>?
    /// Balanced zenki with a queue here whose load arrived in the current turn's adverts.
    var loadsArrived: Set<String> = []
    /// Something waits for `Router.settleTopology`.
    var unsettled: Bool { reachableBeforeChange != nil || !loadsArrived.isEmpty }
    /// Adverts refused for a full database per neighbour since its last warning, and when
    /// that was (wall seconds): one warning a minute per neighbour, not one per advert.
    var fullRefusals: [String: (count: Int, reported: Int64?)] = [:]
    /// Per neighbour, the rejections reported in the current 10-second window, since when,
    /// and how many more were not (``Router/reportRejection(origin:from:reason:now:actions:)``).
    var rejectionReports: [String: (since: Int64, reported: Int, unreported: Int)] = [:]

    /// - Parameters:
    ///   - setup: the signer, the verifier, the pinned keys and this node's rotation proof.
    ///   - configuration: the node name, the advert age limit, the rotation grace and the peers.
    init(_ setup: NetworkSetup, configuration: CubeConfiguration) {
        topology = Topology(localNode: configuration.nodeName, localKey: setup.signer.publicKey, verifier: setup.verifier,
                            maximumAge: Int64(configuration.network.advertMaximumAgeSeconds), pinnedKeys: setup.pinnedKeys,
                            limits: Self.limits(configuration))
        heldSigner = Held(setup.signer)
        ownRotation = setup.rotation
        rotations = NodeKeyRotations(retiredGrace: Int64(configuration.rotationGraceSeconds))
        for peer in configuration.network.peers { peers[peer] = PeerRecord(source: .configured) }
    }

    /// The configured limits, the database at most half a link's output queue: a new link is
    /// sent the whole database at once, and a larger one had the link cut as a slow reader
    /// (`limits.output-queue`) at every attempt, so it never came up (a hostile second reader).
    static func limits(_ configuration: CubeConfiguration) -> TopologyLimits {
        var limits = configuration.network.topologyLimits
        limits.databaseBytes = min(limits.databaseBytes, configuration.limits.outputQueue / 2)
        return limits
    }

    /// Whether a link to `node` is live (no hashing while there are no links at all).
    func hasLink(to node: String) -> Bool {
        !links.isEmpty && !(links[node]?.isEmpty ?? true)
    }

    /// Link sessions one neighbour may hold at once: a link each way when both sides dialled,
    /// and as many again while redials overlap the old ones (docs/network.md "Links").
    static let linksPerNode = 4

    /// How many live link sessions go to `node`.
    func linkCount(to node: String) -> Int { links.isEmpty ? 0 : links[node]?.count ?? 0 }

    /// Whether `node` is a remote node traffic can be routed to by name: in the topology, or
    /// a live neighbour.
    func isRemote(_ node: String) -> Bool {
        topology.knows(node) || hasLink(to: node)
    }

    /// The session that carries traffic to neighbour `node`: its oldest live link.
    func linkSession(to node: String) -> SessionID? { links[node]?.first }

    /// Every live link session, in id order.
    var linkIDs: [SessionID] { links.values.flatMap { $0 }.sorted() }

    /// The neighbour traffic for `node` goes to: the first step of the shortest live path, or
    /// `node` itself when it is a neighbour whose advert has not arrived yet.
    func nextHop(towards node: String) -> String? {
        topology.nextHop(to: node) ?? (hasLink(to: node) ? node : nil)
    }

    /// Remote nodes a path leads to now (this node is not one).
    var reachable: Set<String> { Set(topology.reachableNodes.filter { $0 != topology.localNode }) }

    /// `node … reachable/unreachable` events for every node whose reachability changed since
    /// `before` (a value of ``reachable``), in name order.
    func reachabilityEvents(since before: Set<String>) -> [RouterEvent] {
        let after = reachable
        return after.subtracting(before).sorted().map { RouterEvent.node(name: $0, reachable: true) }
            + before.subtracting(after).sorted().map { RouterEvent.node(name: $0, reachable: false) }
    }

    // MARK: - Links

    /// Whether a session proving `node`'s key may become a link: `node` is a valid name other
    /// than this node's, and it was not unlinked here.
    func accepts(_ node: String) -> Bool {
        node != topology.localNode && Names.isUserName(node.utf8) && !refused.contains(node)
    }

    /// An outbound link to `address` proved to reach `node`. Dialling an address on purpose
    /// (`link tcp:…`, a configured peer) lifts an earlier `unlink` of its node.
    /// - Returns: whether the link may open (``accepts(_:)``); only then is `node` recorded as
    ///   the peer's.
    mutating func dialled(_ address: PeerAddress, reached node: String) -> Bool {
        if peers[address] != nil { refused.remove(node) }
        guard accepts(node) else { return false }
        peers[address]?.node = node
        peers[address]?.lastError = nil
        return true
    }

    /// The dialer's news about `address`: why the last attempt failed, nil once it succeeded.
    /// An address not known yet is added with `origin` (discovery).
    mutating func peerStatus(_ address: PeerAddress, error: String?, origin: PeerSource) {
        var record = peers[address] ?? PeerRecord(source: origin)
        record.lastError = error
        peers[address] = record
    }

    /// Link session `id` to `node` logged in.
    /// - Returns: the adverts to give the new neighbour, or nil when `node` already had a link
    ///   (both sides dialled: the second link is a spare and nothing changes).
    mutating func linkUp(_ id: SessionID, to node: String) -> [LinkStateAdvert]? {
        let first = links[node]?.isEmpty ?? true
        links[node, default: []].append(id)
        return first ? topology.linkUp(node) : nil
    }

    /// Link session `id` to `node` is gone.
    /// - Returns: whether it was the last link to `node` (the node is no longer a neighbour).
    mutating func linkDown(_ id: SessionID, to node: String) -> Bool {
        links[node]?.removeAll { $0 == id }
        guard links[node]?.isEmpty ?? false else { return false }
        links[node] = nil
        _ = topology.linkDown(node)
        return true
    }

    /// Whether keep-alives are due on every link (a third of `timeout`, in ns, since the last
    /// ones); if so, they count as sent now.
    mutating func keepAliveDue(now: UInt64, timeout: UInt64) -> Bool {
        guard now &- lastKeepAlive >= timeout / 3 else { return false }
        lastKeepAlive = now
        return true
    }

    // MARK: - Adverts

    /// Makes, signs and publishes this node's next advert.
    /// - Returns: the advert and the neighbours to send it to.
    mutating func publish(zenki: [String], offers: [AdvertOffer], loads: [AdvertLoad], now: Int64) -> (LinkStateAdvert, [String]) {
        // Sequence numbers follow the clock, so they keep rising across restarts; several
        // adverts within a millisecond simply count on.
        sequence = max(sequence + 1, UInt64(max(now, 0)) * 1000)
        let advert = topology.localAdvert(seq: sequence, zenki: zenki, offers: offers, loads: loads, now: now).signed(by: signer)
        let neighbours = topology.publish(advert) ?? []
        lastPublished = now
        return (advert, neighbours)
    }

    /// Whether this node must advertise again: what it advertises changed, or `interval`
    /// seconds passed since its last advert.
    func publishDue(zenki: [String], offers: [AdvertOffer], loads: [AdvertLoad], now: Int64, interval: Int) -> Bool {
        let published = topology.publishedAdvert
        return published?.zenki != zenki || published?.offers != offers || published?.loads != loads
            || now &- lastPublished >= Int64(interval)
    }

    /// An advert about this node arrived with `sequence`: an earlier run of this node used
    /// numbers this high. Returns whether to publish again, above them.
    mutating func ownSequenceSeen(_ sequence: UInt64) -> Bool {
        guard sequence >= self.sequence else { return false }
        self.sequence = sequence
        return true
    }
}
