extension Topology {
    /// A link to `neighbour` is up (its session logged in as that node).
    /// - Parameters:
    ///   - neighbour: the neighbour's node name.
    ///   - cost: the link's cost (1 by default; see ``AdvertNeighbour/costRange``).
    /// - Returns: every advert held (``adverts``), to send to the new neighbour so that it
    ///   learns the whole graph at once; then re-advertise this node (its links changed).
    @discardableResult
    package mutating func linkUp(_ neighbour: String, cost: UInt32 = 1) -> [LinkStateAdvert] {
        guard neighbour != localNode else { return [] }
        links[neighbour] = min(max(cost, AdvertNeighbour.costRange.lowerBound), AdvertNeighbour.costRange.upperBound)
        recompute()
        return adverts
    }

    /// The link to `neighbour` is down. Routing stops using it at once; re-advertise this
    /// node so that the others stop too.
    /// - Parameter neighbour: the neighbour's node name.
    /// - Returns: true if the link was up.
    @discardableResult
    package mutating func linkDown(_ neighbour: String) -> Bool {
        guard links.removeValue(forKey: neighbour) != nil else { return false }
        recompute()
        return true
    }

    /// This node's advert, from its live links, unsigned: sign it (``LinkStateAdvert/signed(by:)``),
    /// ``publish(_:)`` it and send it to the neighbours that returns.
    /// - Parameters:
    ///   - seq: a sequence number above every earlier one of this node, across restarts too
    ///     (start from the clock, or from a persisted counter).
    ///   - zenki: the names of the zenki connected here.
    ///   - offers: the local offers.
    ///   - loads: the load of the local balanced zenki.
    ///   - now: the current time, unix seconds (the `issued` field).
    /// - Returns: the unsigned advert.
    package func localAdvert(seq: UInt64, zenki: [String], offers: [AdvertOffer], loads: [AdvertLoad] = [],
                            now: Int64) -> LinkStateAdvert {
        LinkStateAdvert(origin: localNode, key: localKey, sequence: seq,
                        neighbours: links.map { AdvertNeighbour($0.key, cost: $0.value) },
                        zenki: Array(Set(zenki)), offers: offers, loads: loads, issued: now)
    }
}
