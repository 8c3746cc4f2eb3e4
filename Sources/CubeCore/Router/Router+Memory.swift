// What users make the cube hold, against `limits.memory` (docs/security.md "Resource limits"):
// the router charges buffered input here; ``MemoryBudget`` keeps the accounts.
extension Router {
    /// Charges what `session`'s decoder still holds after a read to its user; past the user's
    /// share (or the cube's limit) the unfinished message is refused and its bytes dropped.
    mutating func settleInput(_ session: Session, _ account: MemoryAccount, now: Timestamp, actions: inout [RouterAction]) {
        var held = session.decoder.heldByteCount
        guard held != session.chargedInput else { return }
        // Messages waiting for the session's next turn are complete: they are charged, not
        // refused (reading stops meanwhile, so at most one read's worth waits).
        if held > session.chargedInput, !session.hasBacklog, let refusal = memory.refusal(held - session.chargedInput, to: account) {
            let header = session.decoder.refuseCurrentMessage()
            refuse(header: header, text: refusal.text, from: session, now: now, actions: &actions)
            held = session.decoder.heldByteCount
        }
        memory.charge(held - session.chargedInput, to: account)
        session.chargedInput = held
    }

    /// The mount holds `bytes` more (negative: fewer) for `user`: unfinished commands written to
    /// `cmd` or `ask`, and replies an `ask` holds unread; charged to the user's share like a
    /// session's buffered input. Returns the refusal's text when more may not be held (nothing is then
    /// charged; the mount drops the message), nil when charged.
    /// - Parameter force: charge even past the limits (what a refused message leaves behind,
    ///   as ``settleInput(_:_:now:actions:)`` does).
    package mutating func chargeMountInput(_ bytes: Int, user: String, force: Bool = false) -> String? {
        let account = memory.account(for: user, isLink: false)
        defer { memory.release(account) }
        if !force, let refusal = memory.refusal(bytes, to: account) { return refusal.text }
        memory.charge(bytes, to: account)
        return nil
    }

    /// Bytes held outside the router (output queued for slow readers), measured by the owner.
    package mutating func setExternalMemory(_ bytes: Int) {
        memory.external = bytes
    }

    /// Bytes users make the router hold now (buffered input, routes, offers, queued commands).
    package var memoryHeld: Int { memory.held }
}
