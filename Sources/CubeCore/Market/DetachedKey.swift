/// A restored offer's provider user and kind: what `offer` matches to take it back
/// (``Market/reattach(kind:capacity:attributes:requirement:provider:providerUser:wall:)``).
struct DetachedKey: Hashable, Sendable {
    let user: String
    let kind: String
}
