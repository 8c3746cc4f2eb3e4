// Leases across a link that drops and comes back (docs/market.md "A link that comes back"):
// the consumer's node lists what it holds, the provider's node compares
// (``LeaseReconciliation``) and takes back or ends its waiting leases.
extension Market {
    /// The node a lease is held for: the node paying it by receipts, or the node that named
    /// itself to pay, or else the consumer (a node's link user is the node's name).
    func holder(of lease: Lease) -> String {
        receipts.accounts[lease.id]?.payer ?? lease.payerNode ?? lease.consumerUser
    }

    /// Active leases held for `node`, and whether each waits for its consumer.
    package func leasesHeld(for node: String) -> [LeaseReconciliation.Held] {
        allLeases.filter { $0.state == .active && holder(of: $0) == node }
            .map { LeaseReconciliation.Held(id: $0.id, waiting: $0.consumerGoneUntil != nil) }
    }

    /// A waiting lease is its consumer's again, through `session` (the link it asked on, back):
    /// its time runs on as before, nothing is charged or refunded.
    /// - Returns: whether it was waiting.
    package mutating func takeOver(_ id: UInt64, session: SessionID) -> Bool {
        guard var lease = leases[id], lease.state == .active, lease.consumerGoneUntil != nil else { return false }
        lease.consumer = session
        lease.consumerGoneUntil = nil
        leases[id] = lease
        if journaling { touchedLeases.insert(id) }
        return true
    }

    /// Whether lease `id` is active and held for `node`.
    package func isHeld(_ id: UInt64, for node: String) -> Bool {
        guard let lease = leases[id], lease.state == .active else { return false }
        return holder(of: lease) == node
    }

    /// Lease `id` is charged to the memory account `account` from now on (a restored lease
    /// taken over by its consumer: ``Router/chargeRestoredLease(_:to:)``).
    package mutating func chargedMemory(of id: UInt64, to account: String) {
        leases[id]?.memoryAccount = account
    }
}
