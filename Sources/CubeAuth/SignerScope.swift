import CubeCore

/// Which user names a trusted signer may certify, and for how long at most (docs/security.md,
/// "Scoped signers"; configured as `auth.c25519.signer.<label>.names` and `.max-days`).
///
/// A name pattern is a ``GlobPattern`` over one name (`remote-*`, `dev-?`). **Privileged**
/// names — those with their own `access.cmd.usr.<name>` rule, such as `admin`, `v7` or
/// `unix-root` — are reached only by a pattern that is exactly that name: a wildcard never
/// certifies them, so a signer can hand out admin rights only when its entry names them.
/// The node's own key has ``ownNode``: every name, no extra bound on the validity.
package struct SignerScope: Sendable, Equatable {
    /// The patterns as configured (empty for ``ownNode``).
    package let names: [String]
    /// The longest validity this signer may give, in days: a certificate that is still valid
    /// for longer than this when it is presented is refused. Nil: no bound.
    package let maximumDays: Int64?
    /// Whether every name is in scope (the node's own key).
    package let isUnrestricted: Bool
    /// The compiled patterns.
    private let patterns: [GlobPattern]

    /// A signer limited to `names` and `maximumDays`.
    /// - Parameters:
    ///   - names: glob patterns of user names; a privileged name must be listed literally.
    ///   - maximumDays: the longest validity this signer may give, or nil for no bound.
    package init(names: [String], maximumDays: Int64?) {
        self.names = names
        self.maximumDays = maximumDays
        isUnrestricted = false
        patterns = names.map(GlobPattern.init)
    }

    private init() {
        names = []
        maximumDays = nil
        isUnrestricted = true
        patterns = []
    }

    /// The node's own key: every name, no bound on the validity beyond the certificate's.
    package static let ownNode = SignerScope()

    /// A signer listed only in `auth.c25519.trusted-signers`: every name that is not privileged.
    package static let anyUnprivilegedName = SignerScope(names: ["*"], maximumDays: nil)

    /// Whether this signer may certify `name`.
    /// - Parameters:
    ///   - name: the certified user name.
    ///   - privileged: whether `name` has its own access rule on this node.
    /// - Returns: true when a pattern allows it.
    package func permits(_ name: String, privileged: Bool) -> Bool {
        if isUnrestricted { return true }
        if privileged { return names.contains(name) }
        return patterns.contains { $0.matches(name.utf8) }
    }

    package static func == (lhs: SignerScope, rhs: SignerScope) -> Bool {
        lhs.names == rhs.names && lhs.maximumDays == rhs.maximumDays && lhs.isUnrestricted == rhs.isUnrestricted
    }
}
