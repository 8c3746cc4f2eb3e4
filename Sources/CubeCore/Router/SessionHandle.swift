/// Where a session lives in the ``SessionTable``: its id, its slot and the generation of the
/// slot's occupant.
///
/// A handle reaches its session by array index, without hashing the id. Slots are reused, so
/// each occupant gets a generation of its own: a handle kept past its session's end (a stale
/// handle) finds a different generation in the slot and reaches nothing, never the session
/// that took the slot since. Handles never leave the router; the wire and every list show
/// the ``id``.
struct SessionHandle: Hashable, Sendable {
    let id: SessionID
    let slot: Int32
    let generation: UInt32
}
