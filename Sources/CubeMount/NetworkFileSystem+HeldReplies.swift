// What an `ask` holds of replies not read yet is charged to its opener's memory share, like
// the unfinished commands of `cmd` (docs/security.md "Resource limits"): before, an `ask`
// kept every reply it was sent, uncounted, for as long as it was open.
extension NetworkFileSystem {
    /// Answers the reads and wakes the pollers of `wakeups`, then settles the memory of the
    /// `ask` files it touched. Never under the mount's lock or the hub's.
    func carryOut(_ wakeups: Wakeups) {
        wakeups.perform()
        for handle in wakeups.asks { settleHeldReplies(handle) }
    }

    /// Charges to the opener's account what `handle` holds unread beyond what is charged, or
    /// gives back what it no longer holds. Past the limits it is charged all the same (the
    /// replies are here, and an `ask` returns every one), and writes to the `ask` fail with
    /// `ENOMEM` until a read gives some back. A write settles after each line it adds, so what
    /// an `ask` holds stays bounded by the share plus one line, plus the replies still to come
    /// for commands already accepted.
    func settleHeldReplies(_ handle: UInt64) {
        guard let (change, account, number) = state.withLock({ state -> (Int, String, UInt64)? in
            guard let file = state.files[handle], let account = file.askAccount,
                  file.askReplies.count != file.askCharged else { return nil }
            state.files[handle]?.askCharged = file.askReplies.count
            state.files[handle]?.askSettling = file.askSettling &+ 1
            return (file.askReplies.count - file.askCharged, account, file.askSettling &+ 1)
        }) else { return }
        let refusal = hub.chargeMountInput(change, user: account)
        if refusal != nil { _ = hub.chargeMountInput(change, user: account, force: true) }
        state.withLock { state in
            guard state.files[handle]?.askSettling == number else { return }
            state.files[handle]?.askRefusal = refusal
        }
    }

    /// The memory account of `uid`'s commands and replies: its mount session's user, else
    /// `unix-<name>` (`uid:<uid>` without a name).
    func memoryAccount(of uid: UInt32) -> String {
        if let user = state.withLock({ $0.sessions[uid]?.user }) { return user }
        return userNames(uid).name.map { "unix-" + $0 } ?? "uid:\(uid)"
    }
}
