import CubeCore

/// Where the typed messages of a door session go: the mount's session for one uid, the
/// manager's `v7` (docs/architecture.md "The door").
///
/// The hub calls both methods under its lock, in the router's order, from any thread. They
/// must record what they got and return at once: never block, never call the hub. Work that
/// may take time (answering parked FUSE reads) is returned and run after the hub's lock is
/// released.
package protocol DoorEndpoint: AnyObject, Sendable {
    /// A command routed to the session, a reply to one of its commands, or `!TERM!`.
    /// - Returns: what to do once the hub's lock is released, if anything.
    func deliver(_ message: Message) -> DoorFollowUp?
    /// The router closed the session (`term-all`, shutdown).
    /// - Returns: what to do once the hub's lock is released, if anything.
    func closed() -> DoorFollowUp?
}

/// Work a door endpoint leaves for after the hub's lock is released.
package typealias DoorFollowUp = @Sendable () -> Void
