/// The name of an offer in `offers/`: `<id>` for this node's, `<node>:<id>` for another
/// node's (the same word `acquire` takes, docs/protocol.md §8.1).
struct OfferName: Hashable, Sendable, CustomStringConvertible {
    /// The providing node; nil for this node.
    let node: String?
    /// The offer id on that node.
    let id: UInt64

    /// The name as `offers/` lists it.
    var description: String { node.map { "\($0):\(id)" } ?? String(id) }
}
