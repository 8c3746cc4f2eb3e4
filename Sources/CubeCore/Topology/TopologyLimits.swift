/// What other nodes' adverts may hold of a node (docs/network.md "Limits"): names are trusted
/// on first use, so a hostile trusted node could otherwise invent any number of nodes, each
/// with an advert of up to ``LinkStateAdvert/maximumTextBytes``, and every node would keep them
/// (a hostile second reader: 200 invented nodes took two cubes from 80 to 158 MB).
package struct TopologyLimits: Equatable, Sendable {
    /// The most other nodes held (`network.max-nodes`); an advert of a new one past it is refused.
    package var nodes = 5000
    /// The most bytes of advert text held for other nodes, about (`network.max-database`). A new
    /// link receives the whole database at once, so it must fit a link's output queue.
    package var databaseBytes = 4 << 20
    /// Whether adverts of nodes that the trusted-nodes file does not list are accepted, their
    /// key trusted on first use (`network.unlisted-nodes`).
    package var acceptsUnlisted = true

    package init() {}

    /// - Parameters:
    ///   - nodes: see ``nodes``.
    ///   - databaseBytes: see ``databaseBytes``.
    ///   - acceptsUnlisted: see ``acceptsUnlisted``.
    package init(nodes: Int, databaseBytes: Int, acceptsUnlisted: Bool) {
        self.nodes = nodes
        self.databaseBytes = databaseBytes
        self.acceptsUnlisted = acceptsUnlisted
    }

    /// Pins kept at most: twice ``nodes``, so nodes that expired keep theirs for a while; past
    /// it the pin of a node neither held nor listed is dropped for a new one.
    var pins: Int { nodes * 2 }
}
