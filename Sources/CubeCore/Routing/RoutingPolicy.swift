/// Chooses which of a target's candidates a command goes to (docs/architecture.md "Routing":
/// a new policy is one type conforming to this, and one ``DispatchMode`` case).
///
/// Pure: a policy sees only the candidates, in a stable order (local sessions in login order,
/// then remote nodes by name), and a turn counter it may advance to break ties in turn.
package protocol RoutingPolicy: Sendable {
    /// - Parameters:
    ///   - candidates: where the command could go.
    ///   - turn: the target's tie-break counter, kept across commands.
    /// - Returns: indices into `candidates`, in sending order; empty when none may take it now.
    func select(_ candidates: [PoolCandidate], turn: inout UInt64) -> [Int]
}
