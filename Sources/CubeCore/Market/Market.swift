/// The resource market of one node (docs/resources.md, docs/market.md): offers, leases and
/// the capacity accounting that never over-commits.
///
/// Pure: no I/O, no clock (every input carries `now`, monotonic nanoseconds), no sessions of
/// its own. The router feeds it inputs and turns the ``MarketChange``s it returns into
/// notices; capacity is reserved the moment a lease is requested, before the provider answers.
package struct Market: Sendable {
    package static let defaultLeaseTTL: UInt64 = 3600
    package static let maximumLeaseTTL: UInt64 = 30 * 86_400
    /// The most a lease may cost an hour (`price × amount`), in millicredits: 10^12 credits,
    /// the largest number of credits the ledger reads (``Ledger/millicredits(_:)``). A request
    /// beyond is refused (``MarketRefusal/tooCostly``), so one charging interval (at most a
    /// day: 2.4×10^16 millicredits) is always representable (docs/market.md "Prices and credits").
    package static let maximumHourlyCost: Int64 = 1_000_000_000_000_000

    package private(set) var offers: [UInt64: Offer] = [:] {
        didSet { changed = true }
    }
    package internal(set) var leases: [UInt64: Lease] = [:] {
        didSet { changed = true }
    }
    private var nextOfferID: UInt64 = 1
    private var nextLeaseID: UInt64 = 1
    /// Offer and lease ids in order, so listings need no sort (``IDOrder``).
    private var offerOrder = IDOrder()
    private var leaseOrder = IDOrder()
    /// Restored offers still waiting for their provider (``reattach``): an `offer` looks only
    /// at these, not at every offer.
    private var detachedOffers: Set<UInt64> = []
    /// The same ids by provider user and kind, descending (ids no longer detached are skipped
    /// when met), and when the first of them is withdrawn: neither `offer` nor a tick sorts
    /// them (after a restart with many restored offers, each did for the whole grace; a reviewer).
    private var detachedByOwner: [DetachedKey: [UInt64]] = [:]
    private var detachedDeadline = UInt64.max
    /// A lower bound of when an active lease next expires or its consumer's grace runs out
    /// (monotonic nanoseconds): a tick before it has nothing to end and walks no lease.
    private var nextExpiry: UInt64 = 0
    /// A lower bound of the `chargedUntil` of every priced lease charged here: a tick less
    /// than ``chargeInterval`` after it has nothing to charge and walks no lease.
    private var earliestCharged: Int64 = .max
    /// Offers and leases written since ``takeChanges(now:)`` last ran (the store's journal).
    private var touchedOffers: Set<UInt64> = []
    var touchedLeases: Set<UInt64> = []
    /// The accounts of this node's users (docs/market.md "Prices and credits").
    package private(set) var ledger = Ledger() {
        didSet { changed = true }
    }
    /// Ledger entries posted since ``takeChanges(now:)`` (with a store attached).
    private var newEntries: [LedgerEntry] = []
    /// Usage receipts with other nodes (docs/market.md "Usage receipts"): leases this node's
    /// users hold elsewhere, and leases granted to other nodes, which they pay by receipts.
    package internal(set) var receipts = ReceiptBook() {
        didSet { changed = true }
    }
    /// Seconds between charges of a priced lease (`market.charge-interval`).
    package var chargeInterval: Int64 = 60
    /// The wall clock of the last ``charge(now:)`` (a lease's end when no time is at hand).
    var lastCharge: Int64 = 0
    /// What this node saw of each providing user (docs/market.md "Reputation").
    package private(set) var reputations: [String: Reputation] = [:] {
        didSet { changed = true }
    }
    private var touchedReputations: Set<String> = []
    /// Whether anything changed since ``takeChanges(now:)``: cheap to ask on every input.
    package private(set) var changed = false
    /// Whether changes are kept for ``takeChanges(now:)`` (a store is attached); without one
    /// nothing is kept, so nothing grows.
    package var journaling = false {
        didSet { receipts.journaling = journaling }
    }

    package init() {}

    /// Offers in id order (without sorting: ``IDOrder``).
    package var allOffers: [Offer] { Array(orderedOffers) }

    /// Offers in id order, lazily: adverts take the first 4096.
    package var orderedOffers: some Sequence<Offer> { offerOrder.values(of: offers) }

    /// Leases in id order (without sorting: ``IDOrder``).
    package var allLeases: [Lease] { Array(leaseOrder.values(of: leases)) }

    /// The ids of the leases that `matches`, in id order: one pass without copying or sorting
    /// every lease, then a sort of the few that matched (per tick and per session that ends).
    private func leaseIDs(where matches: (Lease) -> Bool) -> [UInt64] {
        var ids: [UInt64] = []
        for (id, lease) in leases where matches(lease) { ids.append(id) }
        return ids.sorted()
    }

    /// Removes lease `id` from the market's tables.
    private mutating func forget(lease id: UInt64) {
        guard leases.removeValue(forKey: id) != nil else { return }
        leaseOrder.remove { leases[$0] != nil }
    }

    /// The hourly cost of `amount` at `price` in millicredits, nil beyond ``maximumHourlyCost``.
    static func hourlyCost(price: Int64, amount: UInt64) -> Int64? {
        let (cost, overflow) = Int128(price).multipliedReportingOverflow(by: Int128(amount))
        return overflow || cost > Int128(maximumHourlyCost) ? nil : Int64(cost)
    }

    /// Whether lease `lease` of `offer` is a provider leasing its own offer: free, never
    /// charged (nothing would move, and each charge wrote two rows: docs/market.md).
    static func isOwn(consumerUser: String, offer: Offer, paidByReceipts: Bool) -> Bool {
        !paidByReceipts && consumerUser == offer.providerUser
    }

    /// Adds an offer (its words already checked by the caller); returns it with its new id.
    package mutating func add(kind: String, capacity: UInt64, attributes: [String], requirement: Expression?,
                             provider: SessionID, providerUser: String, created: Int64) -> Offer {
        let offer = Offer(id: nextOfferID, kind: kind, capacity: capacity, attributes: attributes, provider: provider,
                          providerUser: providerUser, created: created, requirement: requirement)
        nextOfferID += 1
        offers[offer.id] = offer
        offerOrder.insert(offer.id)
        if journaling { touchedOffers.insert(offer.id) }
        observe(providerUser, online: true, wall: created)
        return offer
    }

    /// Parses a ttl word (nil = the default).
    package static func ttl(_ word: String?) -> Result<UInt64, MarketRefusal> {
        guard let word else { return .success(defaultLeaseTTL) }
        guard let ttl = UInt64(word), ttl > 0, ttl <= maximumLeaseTTL else { return .failure(.invalidTTL(word)) }
        return .success(ttl)
    }

    /// A consumer asks for `amount` of offer `offerID`: reserves it and returns the lease in
    /// state `requested` (the provider is asked next).
    /// - Parameters:
    ///   - consumer: what the offer's requirement is checked against (`user`, `node`).
    ///   - providerPresent: whether the providing session is still logged in.
    ///   - paidByReceipts: the consumer is another node, which pays by receipts (its credit is
    ///     checked there).
    ///   - payerNode: the node that pays when it is not the asking neighbour.
    ///   - memoryAccount: the memory account the caller charges the lease to (the consumer's,
    ///     or the link's), which takes it back when the lease ends
    ///     (``MarketChange/leaseEnded(_:reason:provider:)``); nil: not charged.
    package mutating func request(offer offerID: UInt64, amount: UInt64, ttl: UInt64, consumer: SessionID,
                                 consumerUser: String, consumerNode: String, providerPresent: Bool,
                                 paidByReceipts: Bool = false, payerNode: String? = nil, memoryAccount: String? = nil,
                                 now: UInt64) -> Result<Lease, MarketRefusal> {
        guard var offer = offers[offerID] else { return .failure(.noSuchOffer(String(offerID))) }
        guard offer.admits(user: consumerUser, node: consumerNode, amount: amount, ttl: ttl) else {
            return .failure(.requirementNotMet(offer: offerID))
        }
        guard amount <= offer.available else { return .failure(.insufficientCapacity(available: offer.available)) }
        if offer.price > 0, !Self.isOwn(consumerUser: consumerUser, offer: offer, paidByReceipts: paidByReceipts) {
            // A cost an hour beyond what the ledger can hold is refused, not capped: charges
            // capped at Int64.max / 4 once added up to a wrapped balance.
            guard Self.hourlyCost(price: offer.price, amount: amount) != nil else { return .failure(.tooCostly) }
            if !paidByReceipts, ledger.balance(of: consumerUser) <= 0 {
                return .failure(.insufficientCredit(balance: ledger.balance(of: consumerUser)))
            }
        }
        guard providerPresent else { return .failure(.providerAbsent) }
        offer.committed += amount
        // Only `committed` changed, which the store does not keep (restore adds the leases up):
        // no write for the offer, so a request costs the store nothing.
        offers[offerID] = offer
        var lease = Lease(id: nextLeaseID, offer: offerID, consumer: consumer, consumerUser: consumerUser, amount: amount,
                          ttl: ttl, expires: now + ttl * 1_000_000_000, state: .requested)
        lease.paidByReceipts = paidByReceipts
        lease.payerNode = paidByReceipts ? payerNode : nil
        lease.memoryAccount = memoryAccount
        nextLeaseID += 1
        leases[lease.id] = lease
        leaseOrder.insert(lease.id)
        if journaling { touchedLeases.insert(lease.id) }
        return .success(lease)
    }

    /// The provider granted a requested lease: it is active and runs `ttl` from now.
    package mutating func grant(_ leaseID: UInt64, now: UInt64, wall: Int64 = 0) -> Lease? {
        guard var lease = leases[leaseID], lease.state == .requested else { return nil }
        lease.state = .active
        if let offer = offers[lease.offer], !Self.isOwn(consumerUser: lease.consumerUser, offer: offer, paidByReceipts: lease.paidByReceipts) {
            lease.price = offer.price
        }
        record(.granted, lease: lease)
        lease.chargedUntil = wall
        lease.expires = now + lease.ttl * 1_000_000_000
        nextExpiry = min(nextExpiry, lease.expires)
        if lease.price > 0 { earliestCharged = min(earliestCharged, wall) }
        leases[leaseID] = lease
        if journaling { touchedLeases.insert(leaseID) }
        return lease
    }

    /// `renew <lease> [ttl]` by `user` from `session`: the lease runs `ttl` (or its ttl) from
    /// now. A lease whose consumer session is gone is taken over by `session`.
    package mutating func renew(_ leaseID: UInt64, ttl word: String?, user: String, session: SessionID,
                               now: UInt64) -> Result<Lease, MarketRefusal> {
        guard var lease = leases[leaseID], lease.state == .active else { return .failure(.noSuchLease(String(leaseID))) }
        guard lease.consumerUser == user else { return .failure(.notYours(lease: leaseID)) }
        if word != nil {
            switch Self.ttl(word) {
            case .success(let ttl): lease.ttl = ttl
            case .failure(let refusal): return .failure(refusal)
            }
        }
        lease.expires = now + lease.ttl * 1_000_000_000
        nextExpiry = min(nextExpiry, lease.expires)
        if lease.consumerGoneUntil != nil {
            lease.consumer = session
            lease.consumerGoneUntil = nil
        }
        leases[leaseID] = lease
        if journaling { touchedLeases.insert(leaseID) }
        return .success(lease)
    }

    /// Whether `user` may release lease `leaseID` (`mayEndAny`: an admin).
    package func checkRelease(_ leaseID: UInt64, user: String, mayEndAny: Bool) -> MarketRefusal? {
        guard let lease = leases[leaseID], lease.state == .active else { return .noSuchLease(String(leaseID)) }
        guard lease.consumerUser == user || mayEndAny else { return .notYours(lease: leaseID) }
        return nil
    }

    /// The provider refused a requested lease, or did not answer in time, or left before it
    /// did: counted against it (``Reputation``), and the request ends silently.
    package mutating func refuse(_ leaseID: UInt64) -> [MarketChange] {
        if let lease = leases[leaseID], lease.state == .requested { record(.refused, lease: lease) }
        return end(leaseID, reason: nil)
    }

    /// Ends a lease and returns its capacity. `reason` nil ends a request silently.
    /// - Parameter charging: a priced lease is charged up to then (unix seconds) first: the
    ///   time since its last charge, less than an interval, went uncharged before (a lease
    ///   released or run out within `market.charge-interval` was free; a hostile user's
    ///   finding).
    package mutating func end(_ leaseID: UInt64, reason: String?, charging until: Int64? = nil) -> [MarketChange] {
        if let until { settle(leaseID, until: until) }
        guard let lease = leases[leaseID] else { return [] }
        if lease.state == .active, let reason, let outcome = Reputation.Outcome(endReason: reason) {
            record(outcome, lease: lease)
        }
        forget(lease: leaseID)
        if journaling { touchedLeases.insert(leaseID) }
        var provider: SessionID?
        if var offer = offers[lease.offer] {
            offer.committed -= min(offer.committed, lease.amount)
            offers[lease.offer] = offer
            provider = offer.detachedUntil == nil ? offer.provider : nil
        }
        return [.leaseEnded(lease, reason: reason, provider: provider)]
    }

    /// Removes an offer after ending its leases with reason `offer-<reason>`.
    package mutating func withdraw(_ offerID: UInt64, reason: String) -> [MarketChange] {
        guard offers[offerID] != nil else { return [] }
        var changes: [MarketChange] = []
        for id in leaseIDs(where: { $0.offer == offerID }) {
            changes += end(id, reason: "offer-\(reason)")
        }
        guard let offer = offers.removeValue(forKey: offerID) else { return changes }
        offerOrder.remove { offers[$0] != nil }
        detachedOffers.remove(offerID)
        if journaling { touchedOffers.insert(offerID) }
        return changes + [.offerGone(offer, reason: reason)]
    }

    /// A provider session is gone: its offers vanish and their leases end.
    package mutating func providerLeft(_ session: SessionID) -> [MarketChange] {
        offers.values.filter { $0.provider == session && $0.detachedUntil == nil }.map(\.id).sorted()
            .flatMap { withdraw($0, reason: "provider-gone") }
    }

    /// A consumer session is gone: each active lease it holds is kept `grace` nanoseconds
    /// (`leases.grace`) for its user to renew from another session, then ends with reason
    /// `consumer-gone`; with no grace it ends now. Requested leases end with their route.
    package mutating func consumerLeft(_ session: SessionID, grace: UInt64, now: UInt64) -> [MarketChange] {
        var changes: [MarketChange] = []
        for id in leaseIDs(where: { $0.consumer == session && $0.state == .active && $0.consumerGoneUntil == nil }) {
            if grace == 0 {
                changes += end(id, reason: "consumer-gone")
            } else {
                leases[id]?.consumerGoneUntil = now + grace
                nextExpiry = min(nextExpiry, now + grace)
            }
        }
        return changes
    }

    /// Ends leases past their time (`expired`) and those whose consumer's grace ran out
    /// (`consumer-gone`).
    /// - Parameter wall: the wall clock with `now`: priced leases are charged up to their end.
    package mutating func expire(now: UInt64, wall: Int64? = nil) -> [MarketChange] {
        var changes: [MarketChange] = []
        if !detachedOffers.isEmpty, now >= detachedDeadline {
            var next = UInt64.max
            for id in detachedOffers.sorted() {
                guard let until = offers[id]?.detachedUntil else { continue }
                if until <= now { changes += withdraw(id, reason: "provider-gone") } else { next = min(next, until) }
            }
            detachedDeadline = next
        }
        // Before the earliest end nothing is due: no lease is walked (100,000 leases sorted on
        // every tick stalled every client: docs/market.md "Limits").
        guard now >= nextExpiry else { return changes }
        var due: [UInt64] = [], next = UInt64.max
        for (id, lease) in leases where lease.state == .active {
            let end = min(lease.expires, lease.consumerGoneUntil ?? .max)
            if end <= now { due.append(id) } else { next = min(next, end) }
        }
        nextExpiry = next
        for id in due.sorted() {
            guard let lease = leases[id] else { continue }
            let ended = min(lease.expires, lease.consumerGoneUntil ?? .max)
            // The wall clock when it ended: it may have ended a little before this tick, or
            // (restored) while the cube was down.
            let until = wall.map { lease.expiredAtWall ?? $0 - Int64((now - ended) / 1_000_000_000) }
            changes += end(id, reason: lease.expires <= now ? "expired" : "consumer-gone", charging: until)
        }
        return changes
    }

    // MARK: - Durability (docs/market.md "Storage")

    /// What changed since the last call, as store writes: offers and active leases written
    /// whole, gone ones removed, and the id counters. Requested leases are not stored: their
    /// route does not survive a restart.
    /// - Parameter now: converts lease ends to wall-clock seconds.
    package mutating func takeChanges(now: Timestamp) -> [MarketRecordChange] {
        guard changed else { return [] }
        var records: [MarketRecordChange] = []
        for id in touchedOffers.sorted() {
            if let offer = offers[id] {
                records.append(.offer(OfferRecord(id: id, kind: offer.kind, capacity: offer.capacity, attributes: offer.attributes,
                                                  requirement: offer.requirement.map(ExpressionRendering.render),
                                                  providerUser: offer.providerUser, created: offer.created)))
            } else {
                records.append(.offerRemoved(id))
            }
        }
        for id in touchedLeases.sorted() {
            if let lease = leases[id], lease.state == .active {
                let left = lease.expires > now.monotonic ? lease.expires - now.monotonic : 0
                records.append(.lease(LeaseRecord(id: id, offer: lease.offer, consumerUser: lease.consumerUser, amount: lease.amount,
                                                  ttl: lease.ttl, expiresWall: now.wall + Int64((left + 999_999_999) / 1_000_000_000),
                                                  price: lease.price, chargedUntil: lease.chargedUntil)))
            } else if leases[id] == nil {
                records.append(.leaseRemoved(id))
            }
        }
        if !records.isEmpty { records.append(.nextIDs(offer: nextOfferID, lease: nextLeaseID)) }
        for provider in touchedReputations.sorted() {
            if let reputation = reputations[provider] { records.append(.reputation(provider, reputation)) }
        }
        touchedReputations = []
        records += newEntries.map(MarketRecordChange.entry)
        records += receipts.takeChanges()
        newEntries = []
        touchedOffers = []
        touchedLeases = []
        changed = false
        return records
    }

    /// The market a store held, after a restart: every offer waits `grace` for its provider
    /// to offer the same kind again (``reattach``), every lease for a session of its consumer's
    /// user to renew it, with the time it had left. A lease without its offer is dropped.
    package static func restored(_ snapshot: MarketSnapshot, now: Timestamp, grace: UInt64) -> Market {
        var market = Market()
        for record in snapshot.offers {
            let requirement = record.requirement.flatMap { try? ExpressionParser.parse($0).get() }
            var offer = Offer(id: record.id, kind: record.kind, capacity: record.capacity, attributes: record.attributes,
                              provider: 0, providerUser: record.providerUser, created: record.created, requirement: requirement)
            offer.detachedUntil = now.monotonic + grace
            market.offers[record.id] = offer
            market.offerOrder.insert(record.id)
            market.detachedOffers.insert(record.id)
            market.detachedByOwner[DetachedKey(user: record.providerUser, kind: record.kind), default: []].append(record.id)
            market.detachedDeadline = min(market.detachedDeadline, now.monotonic + grace)
        }
        for key in market.detachedByOwner.keys { market.detachedByOwner[key]?.sort(by: >) }
        for record in snapshot.leases {
            guard var offer = market.offers[record.offer] else { continue }
            let left = UInt64(max(0, record.expiresWall - now.wall)) * 1_000_000_000
            offer.committed += record.amount
            market.offers[record.offer] = offer
            market.leases[record.id] = Lease(id: record.id, offer: record.offer, consumer: 0, consumerUser: record.consumerUser,
                                             amount: record.amount, ttl: record.ttl, expires: now.monotonic + left, state: .active,
                                             consumerGoneUntil: now.monotonic + grace, price: record.price,
                                             chargedUntil: record.chargedUntil)
            // Ran out while the cube was down: charged up to then when it ends (next tick).
            if record.expiresWall <= now.wall { market.leases[record.id]?.expiredAtWall = record.expiresWall }
            market.leaseOrder.insert(record.id)
            if record.price > 0 { market.earliestCharged = min(market.earliestCharged, record.chargedUntil) }
        }
        let highestOffer = snapshot.offers.map(\.id).max() ?? 0, highestLease = snapshot.leases.map(\.id).max() ?? 0
        market.nextOfferID = max(snapshot.nextOfferID, highestOffer + 1)
        market.nextLeaseID = max(snapshot.nextLeaseID, highestLease + 1)
        market.ledger.restore(balances: snapshot.balances, entries: snapshot.entries)
        market.receipts = ReceiptBook.restored(tabs: snapshot.tabs, accounts: snapshot.accounts, receipts: snapshot.receipts,
                                               now: now.wall)
        // Nobody is online until it offers again: the time the cube was down is down time.
        market.reputations = snapshot.reputations.mapValues { reputation in
            var offline = reputation
            offline.online = false
            return offline
        }
        market.changed = false
        market.journaling = true
        return market
    }

    /// A provider offers again what it offered before a restart: the restored offer of that
    /// user and kind takes the new session, capacity and attributes and keeps its id and
    /// leases (capacity never below what they hold). Nil if there is none.
    package mutating func reattach(kind: String, capacity: UInt64, attributes: [String], requirement: Expression?,
                                  provider: SessionID, providerUser: String, wall: Int64 = 0) -> Offer? {
        // Only restored offers still waiting qualify: none at all once every provider is back,
        // so an `offer` costs no walk of every offer (docs/market.md "Limits").
        let key = DetachedKey(user: providerUser, kind: kind)
        guard !detachedOffers.isEmpty, var ids = detachedByOwner.removeValue(forKey: key) else { return nil }
        // Descending, so the lowest id is the last; ids withdrawn meanwhile are dropped as met.
        while let last = ids.last, !detachedOffers.contains(last) { ids.removeLast() }
        guard let oldID = ids.popLast(), let old = offers[oldID] else { return nil }
        if !ids.isEmpty { detachedByOwner[key] = ids }
        detachedOffers.remove(old.id)
        var offer = Offer(id: old.id, kind: kind, capacity: max(capacity, old.committed), attributes: attributes, provider: provider,
                          providerUser: providerUser, created: old.created, requirement: requirement)
        offer.committed = old.committed
        offers[old.id] = offer
        if journaling { touchedOffers.insert(old.id) }
        observe(providerUser, online: true, wall: wall)
        return offer
    }

    // MARK: - Prices and credits (docs/market.md "Prices and credits")

    /// Adds `millicredits` to `user`'s account (`grant`, an administrator's command); nil,
    /// and nothing added, when the balance would pass ``Ledger/maximumBalance``.
    package mutating func grant(credits millicredits: Int64, to user: String, by admin: String, wall: Int64) -> LedgerEntry? {
        guard Int128(ledger.balance(of: user)) + Int128(millicredits) <= Int128(Ledger.maximumBalance) else { return nil }
        return post(user: user, delta: millicredits, lease: nil, note: "grant by \(admin)", wall: wall)
    }

    /// Charges every priced active lease for the time since it was last charged, once at least
    /// ``chargeInterval`` seconds (`market.charge-interval`, a minute by default) have passed:
    /// pro rata, `price × amount × seconds / 3600` on a fixed grid (``cost(price:amount:from:to:)``),
    /// taken from the consumer's account and paid into the provider's. A consumer
    /// with less than five minutes' worth left is warned once; one at or below zero loses the
    /// lease (`out-of-credit`).
    package mutating func charge(now: Timestamp) -> [MarketChange] {
        var changes: [MarketChange] = []
        lastCharge = now.wall
        // Before any priced lease is a whole interval old nothing is due: no lease is walked.
        guard now.wall - earliestCharged >= chargeInterval else { return changes }
        var due: [UInt64] = [], earliest = Int64.max
        for (id, lease) in leases where lease.state == .active && lease.price > 0 {
            if now.wall - lease.chargedUntil >= chargeInterval { due.append(id) } else { earliest = min(earliest, lease.chargedUntil) }
        }
        for id in due.sorted() {
            guard let lease = leases[id], chargeOnce(id, until: now.wall) else { continue }
            earliest = min(earliest, now.wall)
            let perSecond = Double(lease.price) * Double(lease.amount) / 3600
            let after = ledger.balance(of: lease.consumerUser)
            if after <= 0 {
                changes += end(id, reason: "out-of-credit")
            } else if !lease.warned, Double(after) < perSecond * 300, var warned = leases[id] {
                warned.warned = true
                leases[id] = warned
                changes.append(.leaseWarned(warned, reason: "low-credit"))
            }
        }
        earliestCharged = earliest
        return changes
    }

    /// Charges the priced lease `leaseID` for the time since its last charge up to `until`,
    /// at its end (``end(_:reason:charging:)``), as ``charge(now:)`` does for whole intervals.
    private mutating func settle(_ leaseID: UInt64, until: Int64) {
        guard let lease = leases[leaseID], lease.state == .active, lease.price > 0, until > lease.chargedUntil else { return }
        _ = chargeOnce(leaseID, until: until)
    }

    /// Charges lease `id` from its last charge to `until`: `price × amount × seconds / 3600`
    /// on the fixed grid (``cost(price:amount:from:to:)``), from the consumer's account to the
    /// provider's. A lease granted to another node is paid by that node's receipts, not
    /// charged here; a provider's lease of its own offer is free (granted at price 0; an
    /// older stored one is skipped here).
    /// - Returns: whether the lease is one charged here.
    private mutating func chargeOnce(_ id: UInt64, until: Int64) -> Bool {
        guard let lease = leases[id], !receipts.paidByReceipts(id), let offer = offers[lease.offer],
              !Self.isOwn(consumerUser: lease.consumerUser, offer: offer, paidByReceipts: lease.paidByReceipts)
        else { return false }
        let seconds = until - lease.chargedUntil
        let owed = Self.cost(price: lease.price, amount: lease.amount, from: lease.chargedUntil, to: until)
        // Never more than the consumer has plus one interval's worth: after a long down
        // time, or with other leases already past zero, the debt stays one interval at most
        // (docs/market.md "Prices and credits").
        let interval = Self.cost(price: lease.price, amount: lease.amount, from: lease.chargedUntil,
                                 to: lease.chargedUntil + chargeInterval)
        let balance = ledger.balance(of: lease.consumerUser)
        let cost = min(owed, max(0, Int64(clamping: Int128(balance) + Int128(interval))))
        leases[id]?.chargedUntil = until
        // A period that costs nothing posts nothing, and its new mark need not be written:
        // on the fixed grid a charge from the older mark costs the same (docs/market.md).
        if let entries = ledger.transfer(cost, from: lease.consumerUser, to: offer.providerUser, lease: id,
                                         payerNote: "lease \(id) \(seconds) s",
                                         payeeNote: "lease \(id) income \(seconds) s", wall: until) {
            journal(entries)
            if journaling { touchedLeases.insert(id) }
        }
        return true
    }

    /// Journals a transfer's two entries for the store.
    private mutating func journal(_ entries: (LedgerEntry, LedgerEntry)) {
        if journaling { newEntries += [entries.0, entries.1] }
    }

    /// What a lease at `price` (millicredits per unit per hour) for `amount` units owes for the
    /// wall-clock seconds `from`..<`to`: what it owes from second 0 to `to` less what it owes
    /// to `from`, each rounded down. Charges in any steps (any `market.charge-interval`, a
    /// restart between two) add up to the same credits; rounding each step's own share down
    /// would lose up to a millicredit a step (all of a cheap lease's charge at 1 s steps).
    static func cost(price: Int64, amount: UInt64, from: Int64, to: Int64) -> Int64 {
        let limit = Int64.max / 4
        func owed(_ wall: Int64) -> Int128? {
            let (rate, over) = Int128(price).multipliedReportingOverflow(by: Int128(amount))
            let (total, overTotal) = rate.multipliedReportingOverflow(by: Int128(wall))
            return over || overTotal ? nil : total / 3600
        }
        guard let end = owed(to), let start = owed(from) else {
            // Beyond 128 bits (an absurd price × amount): the step's own share, capped.
            let share = Double(price) * Double(amount) / 3600 * Double(to - from)
            return Int64(min(Double(limit), share.rounded(.down)))
        }
        return Int64(clamping: min(end - start, Int128(limit)))
    }

    /// Posts to the ledger and journals the entry for the store; the entry is returned for
    /// callers that show it (`grant`), others ignore it.
    @discardableResult
    mutating func post(user: String, delta: Int64, lease: UInt64?, note: String, wall: Int64) -> LedgerEntry {
        let entry = ledger.post(user: user, delta: delta, lease: lease, note: note, wall: wall)
        if journaling { newEntries.append(entry) }
        return entry
    }

    // MARK: - Reputation (docs/market.md "Reputation")

    /// The attributes that carry `provider`'s record in its offers and in adverts (none for a
    /// newcomer).
    package func reputationAttributes(of provider: String) -> [String] {
        reputations[provider].map { $0.attributes(at: $0.observed) } ?? []
    }

    /// Observes every known provider at `wall` (each tick): online while it has an offer that
    /// is not waiting for it after a restart. A record is written when that changes, and at
    /// most once a minute otherwise, so a crash loses at most a minute of uptime.
    package mutating func observeProviders(wall: Int64) {
        let online = Set(offers.values.filter { $0.detachedUntil == nil }.map(\.providerUser))
        for provider in reputations.keys { observe(provider, online: online.contains(provider), wall: wall) }
    }

    private mutating func observe(_ provider: String, online: Bool, wall: Int64) {
        var reputation = reputations[provider] ?? Reputation(firstSeen: wall)
        let before = reputation
        reputation.observe(online: online, wall: wall)
        guard reputation != before || reputations[provider] == nil else { return }
        let minuteChanged = before.observed / 60 != reputation.observed / 60
        // Only what is worth a write changes the stored state; a bare tick does not.
        guard reputations[provider] == nil || before.online != online || minuteChanged else {
            reputations[provider] = reputation
            return
        }
        reputations[provider] = reputation
        if journaling { touchedReputations.insert(provider) }
    }

    private mutating func record(_ outcome: Reputation.Outcome, lease: Lease) {
        guard let offer = offers[lease.offer] else { return }
        let provider = offer.providerUser
        var reputation = reputations[provider] ?? Reputation(firstSeen: offer.created)
        reputation.record(outcome)
        reputations[provider] = reputation
        if journaling { touchedReputations.insert(provider) }
    }
}
