/// `dispatch = balanced` (docs/pooling.md "Policy"): exactly one instance, the one with the
/// fewest outstanding requests, ties taken in turn. Local instances come first while the best
/// of them is under the scaling target; past it the best instance anywhere wins, by
/// outstanding requests and then distance. An instance that holds `target` requests takes no
/// more: with every candidate there, nothing is chosen and the command waits in the cube's
/// queue for the first instance that frees (docs/pooling.md "Queue").
package struct BalancedPolicy: RoutingPolicy {
    /// Outstanding requests per instance at which local instances stop coming first, and at
    /// which an instance takes no more.
    package let target: UInt32

    package init(target: UInt32) {
        self.target = max(target, 1)
    }

    package func select(_ candidates: [PoolCandidate], turn: inout UInt64) -> [Int] {
        let open = candidates.indices.filter { candidates[$0].held < target }
        let locals = open.filter { candidates[$0].isLocal }
        let pool: [Int]
        if let best = locals.map({ candidates[$0].outstanding }).min() {
            pool = locals.filter { candidates[$0].outstanding == best }
        } else {
            func key(_ index: Int) -> (UInt32, UInt64) { (candidates[index].outstanding, candidates[index].distance) }
            guard let best = open.min(by: { key($0) < key($1) }) else { return [] }
            pool = open.filter { key($0) == key(best) }
        }
        guard !pool.isEmpty else { return [] }
        let index = pool[Int(turn % UInt64(pool.count))]
        turn &+= 1
        return [index]
    }
}
