// A peer that shuts down its side for writing: what it sent is served, then the session closes
// (docs/protocol.md §7, "The end of input").
extension Router {
    /// The peer will send nothing more: it shut down its side of the connection for writing (a
    /// request followed by `shutdown(SHUT_WR)`, `nc -N`, `socat` at the end of its input), or
    /// closed it. What it sent before is served as usual: the session closes once every command
    /// it sent has its final reply (or `FALSE route timeout`), its queued commands and reloads
    /// are answered and a login being checked is decided. A session with nothing outstanding
    /// closes now. Bytes after the last newline are no line and are dropped.
    ///
    /// Until then the session cannot answer anything: it leaves the directory (nothing more is
    /// routed to it) and the commands sent to it get `FALSE route collapsed` now, as if it had
    /// gone. A link closes at once (a link's input never ends while it serves).
    package mutating func inputEnded(_ id: SessionID, now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id], !session.inputEnded else { return [] }
        session.inputEnded = true
        sessionsEnding.insert(id)
        var actions: [RouterAction] = []
        settleEndedInput(session, now: now, actions: &actions)
        return actions
    }

    /// For a session whose input ended: closes it if nothing it asked for is outstanding, else
    /// withdraws it (once logged in) until that is answered. Not while complete lines wait for
    /// its next turn (``Router/turnBudget``): they may be replies owed to others, and are
    /// handled first (the resumed turn settles it again).
    mutating func settleEndedInput(_ session: Session, now: Timestamp, actions: inout [RouterAction]) {
        guard session.inputEnded, !session.isGone else { return }
        if session.isLink || isServed(session) { return close(session.id, now: now, actions: &actions) }
        guard session.isActive, !session.withdrawn, !session.hasBacklog else { return }
        session.withdrawn = true
        collapseTargetRoutes(of: session, actions: &actions)
        if let user = session.user { leaveDirectory(session, user: user, now: now, actions: &actions) }
        // What it had sent to itself was answered just now: that may have been all.
        if isServed(session) { close(session.id, now: now, actions: &actions) }
    }

    /// Whether nothing `session` asked for waits for an answer: no login being checked, no
    /// input left for a later turn, no open route it started, no queued command, no reload.
    private func isServed(_ session: Session) -> Bool {
        if case .verifying = session.phase { return false }
        guard !session.hasBacklog, session.sourceRoutes.count == 0, session.pendingReloads == 0 else { return false }
        // Asked for every half-closed session on every tick: the balanced zenki's queues answer
        // in O(1) (docs/pooling.md "Queue"); the on-demand ones are scanned only for a session
        // that queued there.
        guard !pools.holdsQueued(by: session.id) else { return false }
        return !session.hasQueued || !onDemand.holdsQueued(by: session.id)
    }

    /// The periodic check of the sessions whose input ended: those whose last outstanding
    /// command ended other than by a relayed reply (a timeout, a collapse, a queue's expiry)
    /// close here, at most a tick late.
    mutating func settleEndedInputs(now: Timestamp, actions: inout [RouterAction]) {
        for id in sessionsEnding.sorted() {
            guard let session = sessions[id] else {
                sessionsEnding.remove(id)
                continue
            }
            settleEndedInput(session, now: now, actions: &actions)
        }
    }
}
