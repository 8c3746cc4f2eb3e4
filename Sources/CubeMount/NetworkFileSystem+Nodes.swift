import CubeCore
import CubeFS
import CubeFUSE

// The network part of the tree: `nodes/<node>/` (info, links, zenki/<name>/) and the other
// nodes' offers in `offers/`, all computed from the router's topology on every request.
extension NetworkFileSystem {
    /// The entries of `nodes/<node>/`, `nodes/<node>/zenki/` and `nodes/<node>/zenki/<name>/`.
    func networkChildren(of node: Node) -> [(name: String, node: Node)] {
        switch node {
        case .node(let name):
            guard exists(node) else { return [] }
            return [("info", .nodeFile(.info, name)), ("links", .nodeFile(.links, name)), ("zenki", .nodeZenki(name))]
        case .nodeZenki(let name):
            return (listedZenki(of: name) ?? []).map { ($0, .nodeZenka(NodeZenka(node: name, name: $0))) }
        case .nodeZenka(let zenka):
            guard exists(node) else { return [] }
            return DirectoryTable.remoteZenka.map { ($0.rawValue, .file($0, zenka.port)) }
        default:
            return []
        }
    }

    /// Whether a node of the network part is still part of the tree.
    func networkEntryExists(_ node: Node) -> Bool {
        switch node {
        case .node(let name), .nodeFile(_, let name), .nodeZenki(let name):
            return hub.inspect { NetworkSnapshot.nodeNames($0).contains(name) }
        case .nodeZenka(let zenka):
            return listedZenki(of: zenka.node)?.contains(zenka.name) ?? false
        default:
            return false
        }
    }

    /// The zenka names under `nodes/<node>/zenki/`, or nil if `node` is not listed.
    func listedZenki(of node: String) -> [String]? {
        let configured = configuredZenki
        return hub.inspect { NetworkSnapshot.zenki(of: node, $0, configuredZenki: configured) }
    }

    // MARK: - Topology changes

    /// A link came up or went down, or a node became reachable or unreachable: an `events`
    /// line (`link n2 up`, `node n2 unreachable`) and fresh kernel entries.
    func networkChanged(_ event: RouterEvent) {
        networkLine(event)
        refreshNetworkEntries()
    }

    /// The `events` line of a link or node event.
    func networkLine(_ event: RouterEvent) {
        let line = Array("\(event)\n".utf8)
        state.withLock { $0.appendEvent(line) }.perform()
    }

    /// Recomputes the network part of the tree and makes the kernel drop every entry that
    /// appeared or vanished since the last time. Cheap without a network (both snapshots are
    /// empty). Safe from request handlers: the notifier only queues.
    func refreshNetworkEntries() {
        let configured = configuredZenki
        let snapshot = hub.inspect { NetworkSnapshot(of: $0, configuredZenki: configured) }
        let invalidations = state.withLock { state -> [Invalidation] in
            let changes = snapshot.changes(since: state.networkSnapshot)
            state.networkSnapshot = snapshot
            // A directory the kernel holds no reference to has no cached entries to drop.
            return changes.compactMap { change in
                state.nodes.knownIno(for: change.parent).map { .entry(parent: $0, name: change.name) }
            }
        }
        notifier.withLock { $0 }?.send(contentsOf: invalidations)
    }
}

extension Node {
    /// Directories whose listing follows adverts (see ``NetworkFileSystem/refreshNetworkEntries()``).
    var listsNetwork: Bool {
        switch self {
        case .directory(.nodes), .directory(.offers), .nodeZenki: true
        default: false
        }
    }
}
