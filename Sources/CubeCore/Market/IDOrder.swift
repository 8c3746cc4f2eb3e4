/// The ids of a dictionary's entries in ascending order, kept beside it so that listing them
/// in id order costs no sort (docs/market.md "Limits"): sorting every offer on each `offer`
/// command made an offer flood quadratic and stalled every client for seconds.
///
/// Ids are handed out in increasing order, so adding one appends; a removed id is only
/// counted and dropped at the next compaction, once half the ids are gone (amortised O(1)).
struct IDOrder: Sendable {
    private var ids: [UInt64] = []
    private var removed = 0

    /// Adds `id` (in order, even if it is not the largest: a restored record).
    mutating func insert(_ id: UInt64) {
        guard let last = ids.last, id <= last else { return ids.append(id) }
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        if low < ids.count, ids[low] == id { return }
        ids.insert(id, at: low)
    }

    /// One id is gone from the dictionary; `isPresent` tells which are left when it is time to
    /// compact.
    mutating func remove(isPresent: (UInt64) -> Bool) {
        removed += 1
        guard removed > ids.count / 2 else { return }
        ids.removeAll { !isPresent($0) }
        removed = 0
    }

    /// The values of `dictionary` in id order, lazily (a caller that needs the first few
    /// stops there).
    func values<Value>(of dictionary: [UInt64: Value]) -> LazyMapSequence<LazyFilterSequence<LazyMapSequence<[UInt64], Value?>>, Value> {
        ids.lazy.compactMap { dictionary[$0] }
    }
}
