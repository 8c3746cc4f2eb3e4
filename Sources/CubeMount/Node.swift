import CubeCore
import CubeFS

/// What an inode of the mount stands for. Inode numbers come from ``NodeTable`` and are
/// never reused, so a kernel reference can never point at the wrong node.
enum Node: Hashable, Sendable {
    case root
    case directory(Directory)
    case zenka(String)
    case session(SessionID)
    case file(Role, PortTarget?)
    /// `offers/<id>`: one resource offer.
    case offer(UInt64)
    /// `leases/<id>`: one lease; `rm` releases it.
    case lease(UInt64)
    /// `nodes/<node>/`: one node of the network (this one included).
    case node(String)
    /// `nodes/<node>/info` or `nodes/<node>/links`.
    case nodeFile(Role, String)
    /// `nodes/<node>/zenki/`.
    case nodeZenki(String)
    /// `nodes/<node>/zenki/<name>/`; its files are `.file(role, zenka.port)`.
    case nodeZenka(NodeZenka)
    /// `offers/<node>:<id>`: an offer of another node, as its advert lists it.
    case remoteOffer(node: String, id: UInt64)

    /// The fixed directories under the root.
    enum Directory: String, CaseIterable, Sendable {
        case zenki, sessions, nodes, offers, leases
    }

    /// The role of a file.
    enum Role: String, Sendable {
        case readme = "README"
        case status
        case events
        case cmd
        case out
        case ask
        case info
        case sessions
        /// `zenki/<name>/stats`: the zenka's instances and pool figures (docs/pooling.md).
        case stats
        case links
        /// The Prometheus text of the metrics endpoint (docs/filesystem.md).
        case metrics
    }

    var isDirectory: Bool {
        switch self {
        case .root, .directory, .zenka, .session, .node, .nodeZenki, .nodeZenka: true
        case .file, .offer, .lease, .nodeFile, .remoteOffer: false
        }
    }

    /// Permission bits: write-only `cmd`, read-write `ask`, everything else read-only.
    var permissions: UInt32 {
        switch self {
        case .root, .directory, .zenka, .session, .node, .nodeZenki, .nodeZenka: 0o555
        case .file(.cmd, _): 0o222
        case .file(.ask, _): 0o666
        case .file, .offer, .lease, .nodeFile, .remoteOffer: 0o444
        }
    }
}

/// Stable inode numbers for nodes: allocated on first sight, never reused.
struct NodeTable: Sendable {
    private var byNode: [Node: UInt64] = [.root: 1]
    private var byIno: [UInt64: Node] = [1: .root]
    private var next: UInt64 = 2

    mutating func ino(for node: Node) -> UInt64 {
        if let known = byNode[node] { return known }
        let ino = next
        next += 1
        byNode[node] = ino
        byIno[ino] = node
        return ino
    }

    func node(for ino: UInt64) -> Node? { byIno[ino] }

    func knownIno(for node: Node) -> UInt64? { byNode[node] }

    /// Drops a node the kernel no longer references (its number is not reused).
    mutating func forget(_ ino: UInt64) {
        guard ino != 1, let node = byIno.removeValue(forKey: ino) else { return }
        byNode[node] = nil
    }
}
