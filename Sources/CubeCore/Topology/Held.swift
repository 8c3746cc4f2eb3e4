/// An existential held by reference inside the network state (``NetworkState/signer``,
/// ``Topology/verifier``).
///
/// An `any Protocol` stored property makes its struct address-only, and then every read through
/// the router's optional network state (`network?.topology.knows(…)` in a non-mutating method)
/// copies the whole state first, retaining and releasing each of its fields: about 8 % of a
/// transit node's CPU per forwarded command (docs/performance.md "Across nodes"). Held by a
/// class reference, the structs stay loadable and such reads borrow in place.
final class Held<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
