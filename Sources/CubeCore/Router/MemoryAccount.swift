/// What the cube holds on behalf of one user name: input its sessions have buffered, their
/// open routes, offers, leases and queued commands (docs/security.md "Resource limits").
///
/// A class so that a session can charge its account without hashing the user name on
/// every command; owned by the router's ``MemoryBudget`` and reached only through it (the
/// router's owner serialises every call, as for ``Session``).
final class MemoryAccount: @unchecked Sendable {
    let user: String
    /// Links carry other nodes' traffic: they are bounded by the global budget only.
    let isLink: Bool
    /// Bytes charged now.
    var bytes = 0
    /// Logged-in sessions of this user.
    var sessions = 0

    init(user: String, isLink: Bool) {
        self.user = user
        self.isLink = isLink
    }
}
