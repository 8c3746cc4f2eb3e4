/// How many discovery signatures may be checked this second, in all and per sender address
/// (docs/network.md "Discovery"). One budget for everyone let a flood of forged announcements
/// from one address spend it all: the genuine ones (one per node and interval) were refused
/// and nodes stopped finding each other (a hostile second reader: no link within 25 s at
/// 1,700 forged datagrams a second). Per sender, a flood from one address takes at most its
/// share; a sender that forges many source addresses can still spend the rest.
struct SignatureCheckBudget: Sendable {
    /// Checks per second in all: a flood costs at most this much CPU.
    let perSecond: Int
    /// Checks per second for one sender address; a node announces once per interval.
    let perSender: Int
    private var second: Int64 = .min
    private var used = 0
    /// This second's checks by sender; at most ``perSecond`` entries, cleared every second.
    private var bySender: [String: Int] = [:]

    init(perSecond: Int, perSender: Int) {
        self.perSecond = perSecond
        self.perSender = perSender
    }

    /// Takes one check for `sender` (its address without the port) at unix second `now`.
    /// - Returns: false when this second's budget, or the sender's share of it, is spent.
    mutating func spend(for sender: String, at now: Int64) -> Bool {
        if second != now {
            second = now
            used = 0
            bySender.removeAll(keepingCapacity: true)
        }
        guard used < perSecond, bySender[sender, default: 0] < perSender else { return false }
        used += 1
        bySender[sender, default: 0] += 1
        return true
    }
}
