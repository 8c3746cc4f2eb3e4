import CubeCore
import CubeFS
import CubeFUSE
import CubeRuntime
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The network as a directory tree (FILESYSTEM.md), served through ``FUSEMount``.
///
/// All methods run on the FUSE loop thread except the reply path, which runs wherever the
/// hub delivers bytes. Lock rule: `state` is never held while calling the hub (the hub may
/// call straight back into this object) or while replying to the kernel.
package final class NetworkFileSystem: FileSystem {
    let hub: Hub
    let logger: Logger
    let mountPoint: String
    let state = Mutex(MountState())
    /// Set once mounted; invalidations go through it.
    let notifier = Mutex<Notifier?>(nil)
    /// Owner of the files (the user running the cube).
    let owner = (uid: UInt32(getuid()), gid: UInt32(getgid()))
    static let cacheSeconds = 1.0

    /// Zenki the manager is configured to run: listed even while offline. Read from the
    /// running configuration, so a reload's new and removed zenki show at once.
    var configuredZenki: Set<String> { Set(hub.configuration.zenki.keys) }

    /// The metrics text for the `metrics` file; nil = the file says metrics are not collected.
    let metricsText: (@Sendable () -> String)?
    /// Operations served, for the metrics.
    let operations = MountOperations()
    /// Directory listings built (``children(of:)``): what a lookup must not cost in a large
    /// directory, counted so a test can bound it without timing anything.
    let listingsBuilt = Mutex<UInt64>(0)
    /// Runs between looking up the writer's session and submitting a command to it; only tests
    /// set it (to close the session in that window, `MountDoorTests`).
    let beforeSubmit = Mutex<(@Sendable (SessionID) -> Void)?>(nil)

    /// The user database, asked for the name a writer's uid speaks as (a parameter so tests can
    /// make it unreadable).
    let userNames: @Sendable (UInt32) -> UnixUser.Lookup

    package init(hub: Hub, mountPoint: String, metricsText: (@Sendable () -> String)? = nil, logger: Logger,
                 userNames: @escaping @Sendable (UInt32) -> UnixUser.Lookup = { UnixUser.lookup($0) }) {
        self.hub = hub
        self.userNames = userNames
        self.metricsText = metricsText
        self.mountPoint = mountPoint
        self.logger = logger
    }

    /// Connects the kernel notifier once the mount exists.
    package func attach(_ notifier: Notifier) {
        self.notifier.withLock { $0 = notifier }
    }

    // MARK: - Names

    package func lookup(parent: UInt64, name: String, context: RequestContext) -> Result<Entry, Errno> {
        operations.count(.lookup)
        guard let directory = state.withLock({ $0.nodes.node(for: parent) }) else { return .failure(.noSuchFileOrDirectory) }
        guard let child = child(of: directory, named: name) else { return .failure(.noSuchFileOrDirectory) }
        let ino = state.withLock { $0.nodes.ino(for: child) }
        return .success(Entry(attributes: attributes(child, ino: ino), entryTimeout: Self.cacheSeconds,
                              attributeTimeout: Self.cacheSeconds))
    }

    /// The entry `name` of a directory node, or nil. `sessions/<sid>` is found by its id: the
    /// listing of every session (filtered and sorted under the hub's lock) for each lookup made
    /// `ls -l sessions` quadratic in the number of sessions.
    func child(of directory: Node, named name: String) -> Node? {
        if directory == .directory(.sessions) {
            // Only the id's own spelling names it (`007` is not session 7), as in the listing.
            guard let id = SessionID(name), String(id) == name, exists(.session(id)) else { return nil }
            return .session(id)
        }
        return children(of: directory).first { $0.name == name }?.node
    }

    package func getattr(ino: UInt64, context: RequestContext) -> Result<AttributeReply, Errno> {
        operations.count(.getattr)
        guard let node = state.withLock({ $0.nodes.node(for: ino) }), exists(node) || isOpen(node) else {
            return .failure(.noSuchFileOrDirectory)
        }
        return .success(AttributeReply(attributes: attributes(node, ino: ino), timeout: Self.cacheSeconds))
    }

    /// Whether a file is open: it stays `fstat`-able after its session or zenka is gone, as
    /// its content stays fixed for that open (docs/filesystem.md "Text files"). `fstat` sends
    /// no file handle (the kernel asks by inode), so an open of the node is what counts;
    /// before, `cat <&5` of an open `info` failed with `ENOENT` once its session ended.
    private func isOpen(_ node: Node) -> Bool {
        state.withLock { $0.isOpen(node) }
    }

    package func readdir(ino: UInt64, context: RequestContext) -> Result<[DirectoryEntry], Errno> {
        operations.count(.readdir)
        guard let node = state.withLock({ $0.nodes.node(for: ino) }) else { return .failure(.noSuchFileOrDirectory) }
        guard node.isDirectory else { return .failure(.notDirectory) }
        let entries = children(of: node)
        // Adverts change these listings without an event: whoever lists them also makes the
        // kernel drop entries that vanished since the last look.
        if node.listsNetwork { refreshNetworkEntries() }
        return .success(state.withLock { state in
            entries.map { DirectoryEntry(name: $0.name, ino: state.nodes.ino(for: $0.node),
                                         kind: $0.node.isDirectory ? .directory : .regularFile) }
        })
    }

    package func forget(ino: UInt64) {
        state.withLock { $0.nodes.forget(ino) }
    }

    /// The entries of a directory node, from the hub's live view.
    func children(of node: Node) -> [(name: String, node: Node)] {
        listingsBuilt.withLock { $0 &+= 1 }
        switch node {
        case .root:
            return DirectoryTable.root.map { (name(of: $0), $0) } + Node.Directory.allCases.map { ($0.rawValue, .directory($0)) }
        case .directory(.zenki):
            return zenkaNames().map { ($0, .zenka($0)) }
        case .directory(.nodes):
            return hub.inspect { NetworkSnapshot.nodeNames($0) }.map { ($0, .node($0)) }
        case .directory(.offers):
            let (local, remote) = hub.inspect { router in
                (router.allOffers.map(\.id), NetworkSnapshot.remoteOffers(router).map { ($0.node, $0.offer.id) })
            }
            let names = local.map { OfferName(node: nil, id: $0) } + remote.map { OfferName(node: $0, id: $1) }
            return names.map { ($0.description, .offer($0)) }
        case .directory(.leases):
            let (local, remote) = hub.inspect { router in
                (router.allLeases.filter { $0.state == .active }.map(\.id), router.remoteLeases.map { OfferName(node: $0.node, id: $0.lease) })
            }
            return local.map { (String($0), .lease($0)) } + remote.map { ($0.description, .remoteLease($0)) }
        case .directory(.ledger):
            return DirectoryTable.ledger.map { ($0.rawValue, .file($0, nil)) }
        case .offer(let name):
            guard exists(node) else { return [] }
            return DirectoryTable.offer.map { ($0.rawValue, .offerFile($0, name)) }
        case .lease(let id):
            guard exists(node) else { return [] }
            return DirectoryTable.lease.map { ($0.rawValue, .leaseFile($0, id)) }
        case .remoteLease(let name):
            guard exists(node) else { return [] }
            return [(Node.Role.info.rawValue, .remoteLeaseFile(.info, name))]
        case .directory(.sessions):
            return hub.inspect { router in router.activeSessions.map { $0.id } }.map { (String($0), .session($0)) }
        case .directory:
            return []
        case .zenka(let name):
            guard exists(node) else { return [] }
            return DirectoryTable.zenka.map { ($0.rawValue, .file($0, .zenka(name))) }
        case .session(let id):
            guard exists(node) else { return [] }
            return DirectoryTable.session.map { ($0.rawValue, .file($0, .session(id))) }
        case .node, .nodeZenki, .nodeZenka:
            return networkChildren(of: node)
        case .file, .offerFile, .leaseFile, .remoteLeaseFile, .nodeFile:
            return []
        }
    }

    /// Connected and on-demand zenki, and every configured one.
    func zenkaNames() -> [String] {
        Set(hub.inspect { $0.zenkaNames }).union(configuredZenki).sorted()
    }

    private func name(of node: Node) -> String {
        if case .file(let role, _) = node { return role.rawValue }
        return ""
    }

    /// Whether a node is still part of the tree.
    func exists(_ node: Node) -> Bool {
        switch node {
        case .root, .directory: return true
        case .zenka(let name): return configuredZenki.contains(name) || hub.inspect { $0.zenkaNames.contains(name) }
        case .offer(let name), .offerFile(_, let name):
            guard let node = name.node else { return hub.inspect { $0.allOffers.contains { $0.id == name.id } } }
            return hub.inspect { NetworkSnapshot.remoteOffers($0).contains { $0.node == node && $0.offer.id == name.id } }
        case .lease(let id), .leaseFile(_, let id):
            return hub.inspect { $0.allLeases.contains { $0.id == id && $0.state == .active } }
        case .remoteLease(let name), .remoteLeaseFile(_, let name):
            return hub.inspect { $0.remoteLeases.contains { $0.node == name.node && $0.lease == name.id } }
        case .session(let id): return hub.inspect { $0.summary(of: id)?.isLoggedIn == true }
        case .node, .nodeFile, .nodeZenki, .nodeZenka: return networkEntryExists(node)
        case .file(_, .zenka(let name)?):
            if let remote = NodeZenka(port: .zenka(name)) { return exists(.nodeZenka(remote)) }
            return exists(.zenka(name))
        case .file(_, .session(let id)?): return exists(.session(id))
        case .file: return true
        }
    }

    func attributes(_ node: Node, ino: UInt64) -> Attributes {
        Attributes(ino: ino, kind: node.isDirectory ? .directory : .regularFile, permissions: node.permissions,
                   size: 0, linkCount: node.isDirectory ? 2 : 1, uid: owner.uid, gid: owner.gid,
                   modified: Double(Timestamp.now.wall))
    }

    // MARK: - Refused operations

    package func setattr(ino: UInt64, changes: AttributeChanges, handle: UInt64?, context: RequestContext)
        -> Result<AttributeReply, Errno> {
        operations.count(.setattr)
        // `echo x > cmd` truncates first: accept truncation to zero, refuse everything else.
        guard let node = state.withLock({ $0.nodes.node(for: ino) }) else { return .failure(.noSuchFileOrDirectory) }
        guard changes.size == 0, changes.permissions == nil, changes.uid == nil, changes.gid == nil else {
            return .failure(.notPermitted)
        }
        return .success(AttributeReply(attributes: attributes(node, ino: ino), timeout: Self.cacheSeconds))
    }
}
