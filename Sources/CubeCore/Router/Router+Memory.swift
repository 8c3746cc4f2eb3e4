// What users make the cube hold, against `limits.memory` (docs/security.md "Resource limits"):
// the router charges buffered input here; ``MemoryBudget`` keeps the accounts.
extension Router {
    /// Charges what `session`'s decoder still holds after a read to its user; past the user's
    /// share (or the cube's limit) the unfinished message is refused and its bytes dropped.
    mutating func settleInput(_ handle: SessionHandle, _ account: MemoryAccount, now: Timestamp, actions: inout [RouterAction]) {
        guard var held = sessions[handle]?.decoder.heldByteCount, let charged = sessions[handle]?.chargedInput,
              held != charged else { return }
        // Messages waiting for the session's next turn are complete: they are charged, not
        // refused (reading stops meanwhile, so at most one read's worth waits).
        if held > charged, sessions[handle]?.hasBacklog == false, let refusal = memory.refusal(held - charged, to: account) {
            let header = sessions[handle]?.decoder.refuseCurrentMessage() ?? nil
            refuse(header: header, text: refusal.text, from: handle, now: now, actions: &actions)
            // A session gone meanwhile had its input uncharged when it was removed.
            guard let left = sessions[handle]?.decoder.heldByteCount else { return }
            held = left
        }
        memory.charge(held - charged, to: account)
        sessions[handle]?.chargedInput = held
    }

    /// Bytes held outside the router (output queued for slow readers), measured by the owner.
    package mutating func setExternalMemory(_ bytes: Int) {
        memory.external = bytes
    }

    /// Bytes users make the router hold now (buffered input, routes, offers, queued commands).
    package var memoryHeld: Int { memory.held }
}
