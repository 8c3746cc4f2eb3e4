/// A user's share of one balanced zenka's queue (``PoolTable``; docs/pooling.md "Queue").
struct QueueSharer: Hashable, Sendable {
    let name: String
    let user: String
}
