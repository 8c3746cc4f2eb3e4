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
    /// `offers/<id>/` and `offers/<node>:<id>/`: one resource offer (`info`, `acquire`).
    case offer(OfferName)
    /// A file of `offers/<id>/`.
    case offerFile(Role, OfferName)
    /// `leases/<id>/`: one active lease (`info`, `renew`, `usage`); `rmdir` releases it.
    case lease(UInt64)
    /// A file of `leases/<id>/`.
    case leaseFile(Role, UInt64)
    /// `leases/<node>:<id>/`: a lease a user of this node holds on another node (`info` only;
    /// docs/market.md "Leases held on other nodes"). The name has the form of an offer's.
    case remoteLease(OfferName)
    /// `leases/<node>:<id>/info`.
    case remoteLeaseFile(Role, OfferName)
    /// `nodes/<node>/`: one node of the network (this one included).
    case node(String)
    /// `nodes/<node>/info` or `nodes/<node>/links`.
    case nodeFile(Role, String)
    /// `nodes/<node>/zenki/`.
    case nodeZenki(String)
    /// `nodes/<node>/zenki/<name>/`; its files are `.file(role, zenka.port)`.
    case nodeZenka(NodeZenka)

    /// The fixed directories under the root.
    enum Directory: String, CaseIterable, Sendable {
        case zenki, sessions, nodes, offers, leases
        /// `ledger/`: the reader's account (docs/market.md "The market as files").
        case ledger
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
        /// `offers/<id>/acquire`: write `<amount> [ttl]` to lease the offer (docs/market.md).
        case acquire
        /// `leases/<id>/renew`: write `[ttl]` to renew the lease.
        case renew
        /// `leases/<id>/usage`: what the lease was charged so far.
        case usage
        /// `ledger/balance`: the reader's credits.
        case balance
        /// `ledger/statement`: the reader's last ledger entries.
        case statement
    }

    var isDirectory: Bool {
        switch self {
        case .root, .directory, .zenka, .session, .node, .nodeZenki, .nodeZenka, .offer, .lease, .remoteLease: true
        case .file, .offerFile, .leaseFile, .remoteLeaseFile, .nodeFile: false
        }
    }

    /// The role of a file node (nil for a directory).
    var role: Role? {
        switch self {
        case .file(let role, _), .offerFile(let role, _), .leaseFile(let role, _), .remoteLeaseFile(let role, _), .nodeFile(let role, _):
            role
        default: nil
        }
    }

    /// Files that take commands and answer them like `ask`: write, then read exactly the
    /// replies (`ask`, and the market's `acquire` and `renew`).
    var isAsk: Bool {
        switch self {
        case .file(.ask, _), .offerFile(.acquire, _), .leaseFile(.renew, _): true
        default: false
        }
    }

    /// Permission bits: write-only `cmd`, read-write `ask` (`acquire`, `renew`), everything
    /// else read-only; `leases/` writable by all, so that with `mount.allow-other` (and the
    /// kernel checking modes) every user may `rmdir` a lease: the cube decides whose it is.
    var permissions: UInt32 {
        if case .directory(.leases) = self { return 0o777 }
        if isDirectory { return 0o555 }
        if case .file(.cmd, _) = self { return 0o222 }
        return isAsk ? 0o666 : 0o444
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
