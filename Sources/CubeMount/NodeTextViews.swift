import CubeCore
import CubeRuntime

/// The text files of the network part of the tree: `nodes/<node>/info`, `nodes/<node>/links`,
/// `nodes/<node>/zenki/<name>/info` and `offers/<node>:<id>`. Other nodes are described by
/// their latest adverts; this node by its live state.
enum NodeTextViews {
    /// `nodes/<node>/info`: what the topology knows about one node.
    static func info(of node: String, in fileSystem: NetworkFileSystem) -> String {
        let now = Timestamp.now
        let configured = fileSystem.configuredZenki
        return fileSystem.hub.inspect { router in
            guard let topology = router.topology else { return "" }
            let local = node == topology.localNode
            let advert = topology.advert(of: node)
            // A neighbour whose advert has not arrived has no path yet; the router still
            // reaches it over the link itself.
            let linked = !(router.linkSessions[node]?.isEmpty ?? true)
            let hop = local ? "-" : (topology.nextHop(to: node) ?? (linked ? node : "-"))
            let zenki = NetworkSnapshot.zenki(of: node, router, configuredZenki: configured) ?? []
            let offers = local ? router.allOffers.count : (advert?.offers.count ?? 0)
            return """
                name: \(node)
                local: \(local ? "yes" : "no")
                key: \(local ? topology.localKey : (advert?.key ?? "-"))
                distance: \(topology.distance(to: node).map(String.init) ?? (local ? "0" : "-"))
                next-hop: \(hop)
                sequence: \(advert.map { String($0.sequence) } ?? "-")
                advert-age: \(advert.map { "\(max(0, now.wall - $0.issued))s" } ?? "-")
                zenki: \(zenki.count)
                offers: \(offers)

                """
        }
    }

    /// `nodes/<node>/links`: `<neighbour> <cost>` per line. This node's live links; another
    /// node's links as its advert lists them.
    static func links(of node: String, in fileSystem: NetworkFileSystem) -> String {
        fileSystem.hub.inspect { router in
            guard let topology = router.topology else { return "" }
            if node == topology.localNode {
                return topology.neighbours.map { "\($0) \(topology.links[$0] ?? 1)\n" }.joined()
            }
            return (topology.advert(of: node)?.neighbours ?? []).map { "\($0.name) \($0.cost)\n" }.joined()
        }
    }

    /// `nodes/<node>/zenki/<name>/info`. For this node the same text as `zenki/<name>/info`;
    /// another node's advert tells only that the name is there.
    static func info(of zenka: NodeZenka, in fileSystem: NetworkFileSystem) -> String {
        let local = fileSystem.hub.inspect { $0.configuration.nodeName } == zenka.node
        if local { return TextViews.render(.file(.info, .zenka(zenka.name)), of: fileSystem, uid: 0) + "node: \(zenka.node)\n" }
        let listed = fileSystem.listedZenki(of: zenka.node)?.contains(zenka.name) ?? false
        return "name: \(zenka.name)\nstate: \(listed ? "advertised" : "gone")\nnode: \(zenka.node)\n"
    }

    /// `offers/<node>:<id>/info`: another node's offer as its advert carries it, its
    /// attributes (its provider's reputation first) one line each.
    static func offer(node: String, id: UInt64, in fileSystem: NetworkFileSystem) -> String {
        fileSystem.hub.inspect { router in
            guard let offer = NetworkSnapshot.remoteOffers(router).first(where: { $0.node == node && $0.offer.id == id })?.offer
            else { return "" }
            return "id: \(node):\(offer.id)\nkind: \(offer.kind)\nnode: \(node)\n"
                + "capacity: \(offer.capacity)\navailable: \(offer.available)\n" + TextViews.lines(offer.attributes)
        }
    }
}
