/// What the ``BurstPlanner`` asks the router to send to a providing node (docs/pooling.md
/// "Bursts"); the router sends it on a route of its own and feeds the answer back.
enum BurstAction: Equatable, Sendable {
    /// `<node>.acquire <offer> <instances> <ttl> run <zenka>`: one lease for that many instances.
    case acquire(node: String, offer: UInt64, instances: Int)
    /// `<node>.renew <lease> <ttl>`
    case renew(node: String, lease: UInt64)
    /// `<node>.release <lease>`
    case release(node: String, lease: UInt64)

    /// The node the action goes to.
    var node: String {
        switch self {
        case .acquire(let node, _, _), .renew(let node, _), .release(let node, _): node
        }
    }
}
