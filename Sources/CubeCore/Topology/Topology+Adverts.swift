extension Topology {
    /// Judges an advert that arrived from a neighbour and stores it if it is new and genuine.
    ///
    /// Checks, cheapest first: shape and limits, a signature present, age (issued at most
    /// ``maximumAge`` ago and at most ``maximumClockSkew`` ahead), adverts about this node,
    /// the sequence number against the one held for the origin, the signature, and the key
    /// pinned for the origin.
    /// - Parameters:
    ///   - advert: the advert, parsed from a link.
    ///   - neighbour: the node it came from (never sent back there).
    ///   - now: the current time, unix seconds.
    /// - Returns: what happened; forward the advert only on `.accepted`.
    package mutating func accept(_ advert: LinkStateAdvert, from neighbour: String, now: Int64) -> AdvertDecision {
        let (decision, graphChanged) = store(advert, from: neighbour, now: now)
        if graphChanged { recompute() }
        return decision
    }

    /// Judges and stores several adverts from one neighbour (for example everything it sends
    /// when its link comes up) with one recomputation of the routes for the lot instead of
    /// one per advert.
    /// - Parameters:
    ///   - adverts: the adverts, in the order they arrived.
    ///   - neighbour: the node they came from.
    ///   - now: the current time, unix seconds.
    /// - Returns: one decision per advert, as ``accept(_:from:now:)`` would have made them.
    package mutating func accept(_ adverts: [LinkStateAdvert], from neighbour: String, now: Int64) -> [AdvertDecision] {
        var graphChanged = false
        var decisions: [AdvertDecision] = []
        decisions.reserveCapacity(adverts.count)
        for advert in adverts {
            let (decision, changed) = store(advert, from: neighbour, now: now)
            graphChanged = graphChanged || changed
            decisions.append(decision)
        }
        if graphChanged { recompute() }
        return decisions
    }

    /// ``accept(_:from:now:)`` without the recomputation; also says whether the graph changed.
    /// A refresh (the same links, a new sequence number, other zenki or offers) leaves the
    /// graph as it was, and with a few thousand nodes re-advertising every minute, skipping
    /// the recomputation for those is what keeps steady state cheap (docs/network.md). The
    /// router stores a turn's adverts this way and recomputes once after them
    /// (`recompute()`): one per advert let a link's flood of changing adverts cost a
    /// Dijkstra each, 9 s of CPU for 4,800 adverts (a hostile second reader).
    mutating func store(_ advert: LinkStateAdvert, from neighbour: String,
                                now: Int64) -> (AdvertDecision, graphChanged: Bool) {
        if let refusal = judge(advert, now: now) { return (refusal, false) }
        let held = records[advert.origin]
        let graphChanged = held?.neighbours != advert.neighbours
        // A retired key in its grace is accepted, but the node stays pinned to its new key.
        if retiredKeys[advert.key]?.origin != advert.origin, pinnedKeys[advert.origin] != advert.key {
            if pinnedKeys[advert.origin] == nil { makeRoomForPin() }
            pinnedKeys[advert.origin] = advert.key
        }
        databaseBytes += advert.textBytes - (held?.textBytes ?? 0)
        records[advert.origin] = advert
        return (.accepted(forwardTo: neighbours.filter { $0 != neighbour }), graphChanged)
    }

    /// Drops one pin of a node that is neither held nor listed when the pins are at their
    /// limit: names are trusted on first use, so without a bound every name ever seen stayed
    /// pinned. Such a node's next advert is trusted on first use again.
    private mutating func makeRoomForPin() {
        guard pinnedKeys.count >= limits.pins,
              let spare = pinnedKeys.keys.first(where: { records[$0] == nil && !listedNodes.contains($0) })
        else { return }
        pinnedKeys[spare] = nil
        retiredKeys = retiredKeys.filter { $0.value.origin != spare }
    }

    /// Whether holding `advert` keeps the database within ``limits``.
    private func fits(_ advert: LinkStateAdvert) -> Bool {
        let held = records[advert.origin]
        if held == nil, records.count >= limits.nodes { return false }
        return databaseBytes - (held?.textBytes ?? 0) + advert.textBytes <= limits.databaseBytes
    }

    /// Why `advert` must be dropped, or nil if it is new and genuine.
    private func judge(_ advert: LinkStateAdvert, now: Int64) -> AdvertDecision? {
        guard advert.isWellFormed else { return .malformed }
        guard !advert.signature.isEmpty else { return .unsigned }
        guard !isExpired(advert, now: now) else { return .tooOld }
        guard advert.issued <= now.addingReportingOverflow(maximumClockSkew).partialValue else { return .fromTheFuture }
        if advert.origin == localNode {
            // This node's own current advert come back (flooding returns it by another path,
            // or a neighbour echoes it): nothing to do. Taken for an earlier run's, it made
            // this node sign and flood a new one for each copy: an echoing neighbour drew
            // 6,429 adverts in 3 s (a hostile tester's finding).
            if let published = publishedAdvert, advert == published || advert.sequence < published.sequence {
                return .stale(known: published.sequence)
            }
            guard advert.key == localKey, isSigned(advert) else { return .forgedLocalNode }
            return .aboutLocalNode(sequence: advert.sequence)
        }
        if let known = records[advert.origin], advert.sequence <= known.sequence {
            return .stale(known: known.sequence)
        }
        // Before the signature: what cannot be held is not worth checking.
        guard limits.acceptsUnlisted || listedNodes.contains(advert.origin) else { return .unlisted }
        guard fits(advert) else { return .databaseFull }
        guard isSigned(advert) else { return .badSignature }
        if let pinned = pinnedKeys[advert.origin], pinned != advert.key,
           !isRetiredInGrace(advert.key, of: advert.origin, now: now) {
            return .keyChanged(pinned: pinned)
        }
        return nil
    }

    /// Records this node's own advert (built with ``localAdvert(seq:zenki:offers:now:)`` and
    /// signed) so that neighbours whose links come up later receive it too.
    /// - Parameter advert: this node's signed advert.
    /// - Returns: the live neighbours to send it to, sorted; nil (and nothing stored) if the
    ///   advert is not this node's (wrong origin or key) or not newer than the published one.
    package mutating func publish(_ advert: LinkStateAdvert) -> [String]? {
        guard advert.origin == localNode, advert.key == localKey else { return nil }
        if let published = publishedAdvert, advert.sequence <= published.sequence { return nil }
        publishedAdvert = advert
        return neighbours
    }

    /// Removes every origin whose latest advert is older than ``maximumAge``: it stopped
    /// re-advertising, so it is gone or cut off. Call it on a timer (every few seconds).
    /// - Parameter now: the current time, unix seconds.
    /// - Returns: the removed node names, sorted.
    @discardableResult
    package mutating func expire(now: Int64) -> [String] {
        let removed = records.values.filter { isExpired($0, now: now) }.map(\.origin).sorted(by: Self.precedes)
        guard !removed.isEmpty else { return [] }
        for origin in removed { databaseBytes -= records.removeValue(forKey: origin)?.textBytes ?? 0 }
        recompute()
        return removed
    }

    /// `node` rotated its key from `old` to `new` (the proof checked by the caller): pins
    /// `new`, and accepts `old`'s adverts for `node` before `until` (unix seconds).
    package mutating func rotate(_ node: String, from old: String, to new: String, until: Int64) {
        pinnedKeys[node] = new
        retiredKeys[old] = RetiredKey(origin: node, until: until)
    }

    /// Whether `key` is a retired key of `origin` whose grace lasts at `now`.
    func isRetiredInGrace(_ key: String, of origin: String, now: Int64) -> Bool {
        guard let retired = retiredKeys[key] else { return false }
        return retired.origin == origin && now < retired.until
    }

    /// Drops everything known about `node`, its pinned key included (an operator replaced
    /// that node's key). Its next advert is then trusted on first use again.
    /// - Parameter node: a node name other than this one.
    package mutating func forget(_ node: String) {
        pinnedKeys[node] = nil
        retiredKeys = retiredKeys.filter { $0.value.origin != node }
        if let removed = records.removeValue(forKey: node) {
            databaseBytes -= removed.textBytes
            recompute()
        }
    }

    /// True if `advert` was issued more than ``maximumAge`` seconds before `now`.
    func isExpired(_ advert: LinkStateAdvert, now: Int64) -> Bool {
        let (age, overflow) = now.subtractingReportingOverflow(advert.issued)
        return !overflow && age > maximumAge
    }

    private func isSigned(_ advert: LinkStateAdvert) -> Bool {
        verifier.verify(advert.signature, of: advert.signedBytes, by: advert.key)
    }
}
