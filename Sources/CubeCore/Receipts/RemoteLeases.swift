/// Leases this node's users hold on other nodes' offers (docs/market.md "Leases held on
/// other nodes"): the provider's node holds each lease, this node remembers it so that
/// `leases` lists it with the provider node, its consumer hears `lease-warning` and
/// `lease-end` as a local consumer does, and a link that comes back can be reconciled.
///
/// Pure and in memory only: a priced lease's money state is its ``PayerTab`` (stored); after
/// a restart a priced lease is listed from its tab alone, an unpriced one not at all until
/// its node tells of it again.
package struct RemoteLeases: Sendable {
    /// Most leases remembered; beyond, a grant is not listed (it still works and is charged).
    package static let maximum = 4096
    /// A consumer is warned when its balance covers less than this many seconds of a lease.
    package static let warningSeconds: Int64 = 300

    /// One lease held elsewhere.
    package struct Entry: Equatable, Sendable {
        /// The provider's node and the lease id there.
        package let node: String
        package let lease: UInt64
        package let offer: UInt64
        /// The consuming user here and the session that asked.
        package let user: String
        package let session: SessionID
        package let amount: UInt64
        /// As granted or last renewed through this node.
        package internal(set) var ttl: UInt64
        /// Unix seconds when granted or last renewed through this node.
        package internal(set) var granted: Int64
        /// Millicredits per unit per hour (0: free).
        package let price: Int64

        package init(node: String, lease: UInt64, offer: UInt64, user: String, session: SessionID, amount: UInt64, ttl: UInt64,
                    granted: Int64, price: Int64) {
            self.node = node
            self.lease = lease
            self.offer = offer
            self.user = user
            self.session = session
            self.amount = amount
            self.ttl = ttl
            self.granted = granted
            self.price = price
        }

        /// `<node>:<lease>`, how this node's users name it.
        package var name: String { "\(node):\(lease)" }
    }

    /// What the consumer hears.
    package enum Notice: Equatable, Sendable {
        /// `lease-warning <node>:<lease> low-credit`
        case warning(ReceiptBook.TabKey, user: String, session: SessionID?)
        /// `lease-end <node>:<lease> <reason>`
        case ended(ReceiptBook.TabKey, reason: String, user: String, session: SessionID?)

        /// The notice's command and arguments.
        package var command: (path: String, args: String) {
            switch self {
            case .warning(let key, _, _): ("lease-warning", "\(key.node):\(key.lease) low-credit")
            case .ended(let key, let reason, _, _): ("lease-end", "\(key.node):\(key.lease) \(reason)")
            }
        }
    }

    package private(set) var entries: [ReceiptBook.TabKey: Entry] = [:]
    /// Tabs whose user was warned already (once per lease, as for a local consumer).
    private var warned: Set<ReceiptBook.TabKey> = []

    package init() {}

    /// The provider's node `node` answered an acquire of `user` (session `session`) with
    /// `reply`, at `wall`: a `lease … offer … amount … ttl …[ price … since …]` grant is
    /// remembered. - Returns: the entry, or nil for anything else.
    @discardableResult
    package mutating func granted(_ reply: ReplyFields, node: String, user: String, session: SessionID, wall: Int64) -> Entry? {
        guard let lease = reply.lease, let offer = reply.value("offer").flatMap(UInt64.init),
              let amount = reply.value("amount").flatMap(UInt64.init), let ttl = reply.value("ttl").flatMap(UInt64.init)
        else { return nil }
        let price = reply.value("price").flatMap(Ledger.millicredits) ?? 0
        let key = ReceiptBook.TabKey(node: node, lease: lease)
        guard entries[key] != nil || entries.count < Self.maximum else { return nil }
        let entry = Entry(node: node, lease: lease, offer: offer, user: user, session: session, amount: amount, ttl: ttl,
                          granted: wall, price: price)
        entries[key] = entry
        return entry
    }

    /// The lease `key` was renewed through this node at `wall` for `ttl` seconds: listed with
    /// that time left, and a later `renew` without a ttl is held to it.
    package mutating func renewed(_ key: ReceiptBook.TabKey, ttl: UInt64, wall: Int64) {
        entries[key]?.ttl = ttl
        entries[key]?.granted = wall
    }

    /// The lease ended on its node (`reason`): forgotten, and its consumer is told, once.
    package mutating func ended(node: String, lease: UInt64, reason: String) -> Notice? {
        let key = ReceiptBook.TabKey(node: node, lease: lease)
        warned.remove(key)
        guard let entry = entries.removeValue(forKey: key) else { return nil }
        return .ended(key, reason: reason, user: entry.user, session: entry.session)
    }

    /// `user` was charged for the lease `key` (at `price` for `amount` units) and has
    /// `balance` millicredits left: warned once when that covers less than
    /// ``warningSeconds``; at or below zero the caller ends the lease (`out-of-credit`).
    package mutating func charged(_ key: ReceiptBook.TabKey, user: String, price: Int64, amount: UInt64, balance: Int64) -> Notice? {
        guard balance > 0, !warned.contains(key) else { return nil }
        let perSecond = Double(price) * Double(amount) / 3600
        guard Double(balance) < perSecond * Double(Self.warningSeconds) else { return nil }
        warned.insert(key)
        return .warning(key, user: user, session: entries[key]?.session)
    }

    /// Leases held on `node`, by id.
    package func held(on node: String) -> [UInt64] {
        entries.keys.filter { $0.node == node }.map(\.lease).sorted()
    }

    /// `user`'s leases, by node and id.
    package func held(by user: String) -> [Entry] {
        entries.values.filter { $0.user == user }.sorted { ($0.node, $0.lease) < ($1.node, $1.lease) }
    }
}
