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
    /// replies are here, and an `ask` returns every one), and the `ask` takes no more commands
    /// until a read gives some back: what it holds stays bounded by the share plus the replies
    /// to commands already accepted.
    func settleHeldReplies(_ handle: UInt64) {
        guard let (change, account) = state.withLock({ state -> (Int, String)? in
            guard let file = state.files[handle], let account = file.askAccount,
                  file.askReplies.count != file.askCharged else { return nil }
            state.files[handle]?.askCharged = file.askReplies.count
            return (file.askReplies.count - file.askCharged, account)
        }) else { return }
        let refusal = hub.chargeMountInput(change, user: account)
        if refusal != nil { _ = hub.chargeMountInput(change, user: account, force: true) }
        state.withLock { $0.files[handle]?.askRefusal = refusal }
    }

    /// The memory account of `uid`'s commands and replies: its mount session's user, else
    /// `unix-<name>` (`uid:<uid>` without a name).
    func memoryAccount(of uid: UInt32) -> String {
        if let user = state.withLock({ $0.sessions[uid]?.user }) { return user }
        return userNames(uid).name.map { "unix-" + $0 } ?? "uid:\(uid)"
    }
}
