/// `dispatch = balanced` (docs/pooling.md "Policy"): exactly one instance, the one with the
/// fewest outstanding requests, ties taken in turn. Local instances come first while the best
/// of them is under the scaling target; past it the best instance anywhere wins, by
/// outstanding requests and then distance.
package struct BalancedPolicy: RoutingPolicy {
    /// Outstanding requests per instance at which local instances stop coming first.
    package let target: UInt32

    package init(target: UInt32) {
        self.target = max(target, 1)
    }

    package func select(_ candidates: [PoolCandidate], turn: inout UInt64) -> [Int] {
        let locals = candidates.indices.filter { candidates[$0].isLocal }
        let pool: [Int]
        if let best = locals.map({ candidates[$0].outstanding }).min(), best < target {
            pool = locals.filter { candidates[$0].outstanding == best }
        } else {
            func key(_ index: Int) -> (UInt32, UInt64) { (candidates[index].outstanding, candidates[index].distance) }
            guard let best = candidates.indices.min(by: { key($0) < key($1) }) else { return [] }
            pool = candidates.indices.filter { key($0) == key(best) }
        }
        guard !pool.isEmpty else { return [] }
        let index = pool[Int(turn % UInt64(pool.count))]
        turn &+= 1
        return [index]
    }
}
