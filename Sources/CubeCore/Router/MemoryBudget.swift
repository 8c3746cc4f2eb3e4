/// The memory a cube lets its users make it hold: `limits.memory` in all, `limits.memory.user`
/// for each user name (docs/security.md "Resource limits").
///
/// Charged: input buffered by a session (an unfinished line, multi-line command or body),
/// open routes, offers, leases and commands queued for an on-demand zenka, each by the user who
/// caused it; queued output is measured by the owner's endpoints and handed in as
/// ``external``. A charge that would take a user past their share is refused. The last eighth
/// of the limit is a reserve for users holding less than 1/64 of it: past seven eighths only
/// they are served, and nobody past the limit, so whoever fills the cube is stopped first
/// and the others keep being served.
struct MemoryBudget: Sendable {
    /// `limits.memory`.
    private(set) var limit: Int
    /// `limits.memory.user`.
    private(set) var share: Int
    /// Bytes charged to all accounts.
    private(set) var held = 0
    /// Bytes held outside the router (queued output), as last reported by the owner.
    var external = 0
    private(set) var accounts: [String: MemoryAccount] = [:]

    init(limit: Int, share: Int) {
        self.limit = limit
        self.share = min(share, limit)
    }

    /// New limits from a reload: what is held stays charged; only later charges see them.
    mutating func resize(limit: Int, share: Int) {
        self.limit = limit
        self.share = min(share, limit)
    }

    /// The account of `user`, made on first use.
    mutating func account(for user: String, isLink: Bool) -> MemoryAccount {
        if let account = accounts[user] { return account }
        let account = MemoryAccount(user: user, isLink: isLink)
        accounts[user] = account
        return account
    }

    /// Why `bytes` more may not be charged to `account`, or nil when they may.
    func refusal(_ bytes: Int, to account: MemoryAccount) -> MemoryRefusal? {
        guard bytes > 0 else { return nil }
        if !account.isLink && account.bytes + bytes > share { return .userShare }
        let total = held + external + bytes
        if total > limit - limit / 8 {
            let small = account.bytes + bytes <= limit / 64
            if !small || total > limit { return .total }
        }
        return nil
    }

    /// Adds (or, negative, returns) `bytes` to `account`.
    mutating func charge(_ bytes: Int, to account: MemoryAccount) {
        account.bytes += bytes
        held += bytes
    }

    /// Forgets `account` once it holds nothing and has no session.
    mutating func release(_ account: MemoryAccount) {
        if account.bytes <= 0 && account.sessions <= 0 { accounts[account.user] = nil }
    }
}

/// Which bound a refused charge met.
enum MemoryRefusal: Sendable {
    case userShare
    case total

    /// The `FALSE` text a client gets (docs/protocol.md, docs/security.md).
    var text: String {
        switch self {
        case .userShare: "memory limit reached [ limits.memory.user ]"
        case .total: "memory limit reached [ limits.memory ]"
        }
    }
}
