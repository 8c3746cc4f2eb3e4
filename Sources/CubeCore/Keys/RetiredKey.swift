/// A node key replaced by a rotation that the topology still accepts adverts from for a while
/// (`auth.c25519.rotation.grace`; docs/security.md, "Node key rotation").
package struct RetiredKey: Equatable, Sendable {
    /// The node the key stood for.
    package let origin: String
    /// Unix seconds from which its adverts are refused (accepted while `now < until`).
    package let until: Int64

    /// - Parameters:
    ///   - origin: the node the key stood for.
    ///   - until: the end of its grace, unix seconds (exclusive).
    package init(origin: String, until: Int64) {
        self.origin = origin
        self.until = until
    }
}
