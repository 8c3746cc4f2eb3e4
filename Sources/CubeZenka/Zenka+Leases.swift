import CubeCore

/// Providing resources: the zenka side of offers and leases (docs/protocol.md §8.1). A zenka
/// offers with `send("offer", args: "<kind> <capacity> …")`, decides each lease in
/// ``onLeaseRequest(_:)`` and learns of its end in ``onLeaseEnd(_:)``.
extension Zenka {
    /// The command name the cube asks a provider with.
    static let leaseRequestCommand = "lease-request"
    /// The notice (a line without id, never answered) that tells a provider a lease ended.
    static let leaseEndNotice = "lease-end"

    /// Decides lease requests: `.true(…)` grants the lease, `.false(text)` refuses it (the
    /// consumer gets `text`). A malformed request is refused without calling `decide`.
    /// - Parameter decide: runs as its own task for each request.
    public func onLeaseRequest(_ decide: @escaping @Sendable (LeaseRequest) async -> ZenkaReply) {
        command(Self.leaseRequestCommand, help: "lease-request <lease> <consumer> <amount> <ttl>: asked by the cube") { call in
            guard let request = LeaseRequest(args: call.args) else {
                return .false("usage: lease-request <lease> <consumer> <amount> <ttl>")
            }
            return await decide(request)
        }
    }

    /// Called for each `lease-end <lease> <reason>` notice (`released`, `expired`,
    /// `offer-withdrawn`, `consumer-gone`, …). Leases of an earlier connection end without
    /// a notice when the connection does: drop them in ``onConnect(_:)``.
    /// - Parameter ended: receives the lease id and the reason.
    public func onLeaseEnd(_ ended: @escaping @Sendable (_ lease: UInt64, _ reason: String) async -> Void) {
        state.withLock { $0.leaseEndHook = ended }
    }

    /// Handles a notice line the cube sent without id; true if it was one (then it gets no
    /// reply: docs/protocol.md §5, notices are not commands).
    func handledNotice(_ command: Command) -> Bool {
        guard command.id == 0, String(decoding: command.path, as: UTF8.self) == Self.leaseEndNotice else { return false }
        let words = String(decoding: command.args ?? [], as: UTF8.self).split(separator: " ")
        guard words.count >= 2, let lease = UInt64(words[0]) else {
            log("ignored a malformed lease-end notice")
            return true
        }
        if let hook = state.withLock({ $0.leaseEndHook }) {
            let reason = String(words[1])
            Task { await hook(lease, reason) }
        }
        return true
    }
}
