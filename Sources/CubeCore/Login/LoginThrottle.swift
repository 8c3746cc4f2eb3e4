/// Who may try to log in (docs/protocol.md §3.6, docs/security.md "Login throttling"):
/// failed logins per origin in the last minute, credential checks not decided yet, and
/// sessions still waiting to log in. Pure; the router feeds it and asks it.
package struct LoginThrottle: Sendable {
    /// Origins whose failed logins are remembered at most: past it, one is forgotten for each
    /// new one. One record per address for the one-minute window made 50,000 connections from
    /// as many addresses grow the cube by 4 MB (make soak --measure-churn); an attacker with
    /// more addresses than this is not held back per address anyway (docs/security.md).
    package static let maximumFailureOrigins = 4096
    /// Failures older than this (monotonic ns) no longer count.
    static let window: UInt64 = 60_000_000_000

    /// Times of recent failed logins per origin.
    private var failures: [Origin: [UInt64]] = [:]
    /// Checks per origin that are queued or running: they count as failures until decided,
    /// so a burst is refused before Argon2 or a checker program runs.
    private var pendingChecks: [Origin: Int] = [:]
    /// Sessions per origin that have not logged in yet.
    private var waiting: [Origin: Int] = [:]

    package init() {}

    /// Origins with failures remembered now.
    package var failureOriginCount: Int { failures.count }

    /// Remembers a failed login (or an abandoned `c25519` handshake) of `origin`.
    package mutating func recordFailure(of origin: Origin, now: UInt64) {
        // Only addresses make room, for a new address: a local user who failed from many
        // loopback addresses (127.0.0.0/8 on TCP) evicted its own uid's count and got a fresh
        // set of password checks (a hostile second reader). Uids are the system's, and few.
        if case .address = origin, failures[origin] == nil, failures.count >= Self.maximumFailureOrigins,
           let forgotten = failures.keys.first(where: { if case .address = $0 { true } else { false } }) {
            failures[forgotten] = nil
        }
        failures[origin, default: []].append(now)
    }

    /// Whether `origin` has `limit` failures in the last minute, its undecided checks counted.
    package mutating func isThrottled(_ origin: Origin, limit: Int, now: UInt64) -> Bool {
        let recent = (failures[origin] ?? []).filter { now &- $0 < Self.window }
        failures[origin] = recent.isEmpty ? nil : recent
        return recent.count + pendingChecks[origin, default: 0] >= limit
    }

    /// A credential check of `origin` was queued.
    package mutating func checkStarted(_ origin: Origin) {
        pendingChecks[origin, default: 0] += 1
    }

    /// A credential check of `origin` was decided, or its session went away.
    package mutating func checkEnded(_ origin: Origin) {
        Self.decrement(&pendingChecks, origin)
    }

    /// Counts a new session of `origin` that is not logged in yet, unless `limit` of them wait
    /// already (`limits.pre-auth-sessions`). - Returns: false when it must be turned away.
    package mutating func sessionWaits(_ origin: Origin, limit: Int) -> Bool {
        guard waiting[origin, default: 0] < limit else { return false }
        waiting[origin, default: 0] += 1
        return true
    }

    /// A session of `origin` logged in, or went away before it did.
    package mutating func sessionStoppedWaiting(_ origin: Origin) {
        Self.decrement(&waiting, origin)
    }

    /// Forgets failures older than the window, also of origins that never return.
    package mutating func forgetOld(now: UInt64) {
        failures = failures.compactMapValues { times in
            let recent = times.filter { now &- $0 < Self.window }
            return recent.isEmpty ? nil : recent
        }
    }

    private static func decrement(_ counts: inout [Origin: Int], _ origin: Origin) {
        let count = (counts[origin] ?? 1) - 1
        counts[origin] = count > 0 ? count : nil
    }
}
