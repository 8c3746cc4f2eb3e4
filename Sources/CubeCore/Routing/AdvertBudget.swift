/// How many adverts a node may publish between ticks for new instances (docs/pooling.md
/// "Surges"): a token bucket of ``capacity`` adverts, one more every ``refill`` ns. A burst's
/// instances take one to three; a session of a balanced zenka's name logging in and out in
/// a loop gets no more than the bucket, then waits for the tick like any change of load (a
/// second reader's finding: ten signed adverts a second to every node otherwise).
struct AdvertBudget: Sendable {
    static let capacity: UInt64 = 5
    static let refill: UInt64 = 2_000_000_000

    private var tokens = Self.capacity
    private var refilledAt: UInt64?

    /// Takes one advert at `now` (monotonic ns) if there is one.
    mutating func take(now: UInt64) -> Bool {
        if let refilledAt {
            let earned = (now &- refilledAt) / Self.refill
            if earned > 0 {
                tokens = min(Self.capacity, tokens + earned)
                self.refilledAt = tokens == Self.capacity ? now : refilledAt + earned * Self.refill
            }
        } else {
            refilledAt = now
        }
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }
}
