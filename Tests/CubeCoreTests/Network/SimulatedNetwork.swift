import CubeCore

/// Several pure routers joined by in-memory links: every `.send` to a link session is fed to the
/// router at the other end, until nothing moves. Lets network behaviour be checked byte for
/// byte without sockets or keys (adverts are signed with ``ToySigner``).
struct SimulatedNetwork {
    struct Link: Hashable {
        let node: String
        let session: SessionID
    }

    var routers: [String: Router] = [:]
    /// (node, link session) → (peer node, peer's link session).
    var wires: [Link: Link] = [:]
    /// Bytes for sessions that are not links (clients, zenki), per node and session.
    var output: [Link: [UInt8]] = [:]
    /// Every byte that crossed each link, per sending side (for exact-bytes checks).
    var traffic: [Link: [UInt8]] = [:]
    var closed: Set<Link> = []
    var events: [String: [RouterEvent]] = [:]
    /// Orders for each node's manager (`.scale`), in order.
    var orders: [String: [ScaleOrder]] = [:]
    /// How often each node asked for its pools to be planned ten times a second (``RouterAction/planPools``).
    var planningAsked: [String: Int] = [:]
    var now = Timestamp(monotonic: 1_000_000_000, wall: 1_767_225_600)
    /// A hostile node: what it sends over its links passes through this first, by node name.
    var rewrite: [String: ([UInt8]) -> [UInt8]] = [:]

    /// Adds a node whose configuration lets everyone do everything, plus `extra` lines.
    /// - Parameters:
    ///   - wideSignatures: sign with ``WideToySigner`` (64-byte signatures), so that
    ///     revocations and rotation proofs, whose text form wants that length, travel too.
    ///   - everyone: false to leave out `access.cmd.usr.* = **` (`extra` says who may do what).
    mutating func add(_ name: String, extra: [String] = [], wideSignatures: Bool = false, everyone: Bool = true) throws {
        let text = (["node.name = \(name)"] + (everyone ? ["access.cmd.usr.* = **"] : []) + extra).joined(separator: "\n")
        let configuration = try CubeConfiguration.load(try ConfigFile.parse(text, file: "sim.conf"), owner: "root")
        let key = ToyMAC.key(for: name)
        let setup = wideSignatures ? NetworkSetup(signer: WideToySigner(publicKey: key), verifier: WideToyVerifier())
            : NetworkSetup(signer: ToySigner(publicKey: key), verifier: ToyVerifier())
        routers[name] = Router(configuration: configuration, hasher: IdentityHasher(), network: setup,
                               seed: UInt64(name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }), now: now)
    }

    /// Reloads node `name` with a configuration of `extra` lines in place of the one it had
    /// (docs/configuration.md "Reload"), and delivers what the reload answers.
    mutating func reconfigure(_ name: String, extra: [String]) throws {
        let text = (["node.name = \(name)", "access.cmd.usr.* = **"] + extra).joined(separator: "\n")
        let configuration = try CubeConfiguration.load(try ConfigFile.parse(text, file: "sim.conf"), owner: "root")
        apply(routers[name]?.reconfigure(configuration, now: now) ?? [], at: name)
    }

    /// Links `a` and `b` (as if `a` had dialled `b`) and lets adverts flood.
    @discardableResult
    mutating func link(_ a: String, _ b: String) -> (SessionID, SessionID) {
        // Node names are valid host names, so these always parse.
        guard let toB = PeerAddress("tcp:\(b):1"), let toA = PeerAddress("tcp:\(a):1") else { return (0, 0) }
        let (idA, actionsA) = routers[a]?.linkConnected(node: b, address: toB, now: now) ?? (nil, [])
        let (idB, actionsB) = routers[b]?.linkConnected(node: a, address: toA, now: now) ?? (nil, [])
        guard let idA, let idB else {
            // One side refused the link: like a closed TCP connection, the other side sees it end.
            if let idA { apply(actionsA + (routers[a]?.disconnected(idA, now: now) ?? []), at: a) }
            if let idB { apply(actionsB + (routers[b]?.disconnected(idB, now: now) ?? []), at: b) }
            return (0, 0)
        }
        wires[Link(node: a, session: idA)] = Link(node: b, session: idB)
        wires[Link(node: b, session: idB)] = Link(node: a, session: idA)
        apply(actionsA, at: a)
        apply(actionsB, at: b)
        return (idA, idB)
    }

    /// Cuts a link: both ends see their session disconnect.
    mutating func cut(_ a: String, _ session: SessionID) {
        let here = Link(node: a, session: session)
        guard let there = wires.removeValue(forKey: here) else { return }
        wires[there] = nil
        let actionsA = routers[a]?.disconnected(session, now: now) ?? []
        let actionsB = routers[there.node]?.disconnected(there.session, now: now) ?? []
        apply(actionsA, at: a)
        apply(actionsB, at: there.node)
    }

    /// A logged-in local session (a client or, of kind `.zenka`, a zenka).
    mutating func connect(_ user: String, at node: String, kind: SessionKind = .inProcess) -> SessionID {
        guard let (id, actions) = routers[node]?.connectLocal(user: user, transport: .local("sim"), kind: kind, now: now)
        else { return 0 }
        apply(actions, at: node)
        output[Link(node: node, session: id)] = nil
        return id
    }

    /// A local session's connection is gone.
    mutating func disconnect(_ session: SessionID, at node: String) {
        apply(routers[node]?.disconnected(session, now: now) ?? [], at: node)
    }

    /// A local session's input ended (a half-close: `shutdown(SHUT_WR)`, `nc -N`).
    mutating func endInput(_ session: SessionID, at node: String) {
        apply(routers[node]?.inputEnded(session, now: now) ?? [], at: node)
    }

    /// Bytes from a local session.
    mutating func send(_ text: String, from session: SessionID, at node: String) {
        apply(routers[node]?.received(Array(text.utf8), from: session, now: now) ?? [], at: node)
    }

    /// Bytes injected as if they came over a link session.
    mutating func inject(_ bytes: [UInt8], on session: SessionID, at node: String) {
        apply(routers[node]?.received(bytes, from: session, now: now) ?? [], at: node)
    }

    /// Takes what a local session received so far.
    mutating func take(_ session: SessionID, at node: String) -> String {
        let bytes = output.removeValue(forKey: Link(node: node, session: session)) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Advances the clocks and runs every router's tick.
    mutating func tick(seconds: Int) {
        now.monotonic += UInt64(seconds) * 1_000_000_000
        now.wall += Int64(seconds)
        for name in routers.keys.sorted() { apply(routers[name]?.tick(now: now) ?? [], at: name) }
    }

    /// Advances the monotonic clock by `milliseconds` and runs the planning of the pools of
    /// every router that wants it, what the cube does ten times a second between ticks
    /// (``Router/planPools(now:)``, ``Router/poolsWantPlanning``).
    mutating func plan(milliseconds: Int) {
        now.monotonic += UInt64(milliseconds) * 1_000_000
        for name in routers.keys.sorted() where routers[name]?.poolsWantPlanning == true {
            apply(routers[name]?.planPools(now: now) ?? [], at: name)
        }
    }

    private mutating func apply(_ actions: [RouterAction], at node: String) {
        var queue: [(String, [RouterAction])] = [(node, actions)]
        while !queue.isEmpty {
            let (at, batch) = queue.removeFirst()
            for action in batch {
                switch action {
                case .send(let id, var bytes):
                    let here = Link(node: at, session: id)
                    if let there = wires[here] {
                        if let change = rewrite[at] { bytes = change(bytes) }
                        traffic[here, default: []] += bytes
                        queue.append((there.node, routers[there.node]?.received(bytes, from: there.session, now: now) ?? []))
                    } else {
                        output[here, default: []] += bytes
                    }
                case .close(let id):
                    let here = Link(node: at, session: id)
                    closed.insert(here)
                    if let there = wires.removeValue(forKey: here) {
                        wires[there] = nil
                        queue.append((there.node, routers[there.node]?.disconnected(there.session, now: now) ?? []))
                    }
                case .event(let event):
                    events[at, default: []].append(event)
                case .scale(let order):
                    orders[at, default: []].append(order)
                case .planPools:
                    planningAsked[at, default: 0] += 1
                default:
                    break
                }
            }
        }
    }
}
