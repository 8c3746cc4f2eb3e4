/// Where a route lives in the ``RouteTable``: sessions index their routes by slot.
typealias RouteSlot = Int

/// The open routes, kept in a slab of slots.
///
/// Every routed command makes a route and every final reply ends one, so the table is on the
/// hot path twice per request. A slab reaches a route by array index where a dictionary keyed
/// by route id hashed it (insert, look-up, update and removal: four SipHash rounds per
/// request), and a route is updated in place instead of being copied out and written back. Slots
/// are reused; the ``Route/id`` (issued in order) stays the route's identity in listings and
/// orderings. Slot numbers never leave the router.
struct RouteTable: Sendable {
    private var slots: [Route?] = []
    /// Empty slots below `slots.count`, reused before the slab grows.
    private var vacant: [RouteSlot] = []
    /// Number of open routes.
    private(set) var count = 0

    /// Stores `route` and returns its slot. Consumed: a borrowed route was copied into its
    /// slot, three retains and three releases per request.
    mutating func insert(_ route: consuming Route) -> RouteSlot {
        count += 1
        if let slot = vacant.popLast() {
            slots[slot] = route
            return slot
        }
        slots.append(route)
        return slots.count - 1
    }

    /// The route in `slot`, nil for an empty slot.
    subscript(slot: RouteSlot) -> Route? {
        slots.indices.contains(slot) ? slots[slot] : nil
    }

    /// Whether `slot` still holds the route `id`: a list of routes taken earlier must check
    /// before it acts, because an emptied slot is reused.
    func holds(_ slot: RouteSlot, id: RouteID) -> Bool {
        slots.indices.contains(slot) && slots[slot]?.id == id
    }

    /// The target session of the route in `slot`, read without copying the route.
    func target(of slot: RouteSlot) -> SessionID? {
        slots.indices.contains(slot) ? slots[slot]?.target : nil
    }

    /// Records activity on the route in `slot` (its timeout counts from here), in place.
    mutating func touch(_ slot: RouteSlot, at time: UInt64) {
        guard slots.indices.contains(slot) else { return }
        slots[slot]?.lastActivity = time
    }

    /// Dates the route in `slot` from `time`, when its command waited before it was sent: its
    /// age and its silence both count from then, so its sender hears within `timeouts.route`
    /// of sending (before, the silence restarted at the placing, and a command that waited
    /// nearly the timeout could wait almost twice that; a hostile tester's finding).
    mutating func backdate(_ slot: RouteSlot, to time: UInt64) {
        guard slots.indices.contains(slot) else { return }
        slots[slot]?.started = time
        slots[slot]?.lastActivity = time
    }

    /// Marks the route in `slot` as made by the cube for `purpose`.
    mutating func setPurpose(_ purpose: RoutePurpose, of slot: RouteSlot) {
        guard slots.indices.contains(slot) else { return }
        slots[slot]?.purpose = purpose
    }

    /// Empties `slot`; returns the route that was in it.
    @discardableResult
    mutating func remove(_ slot: RouteSlot) -> Route? {
        // Moved out, not copied: no reference counting for the route's fields.
        guard slots.indices.contains(slot), let route = slots[slot].take() else { return nil }
        count -= 1
        if count == 0 {
            // A burst of routes must not pin its peak size for ever.
            slots.removeAll(keepingCapacity: slots.count <= 1024)
            vacant.removeAll(keepingCapacity: slots.capacity > 0)
        } else {
            vacant.append(slot)
        }
        return route
    }

    /// Open routes (those `include` accepts) with their slots, oldest first.
    func ordered(where include: (Route) -> Bool = { _ in true }) -> [(slot: RouteSlot, route: Route)] {
        ordered(slots.indices, where: include)
    }

    /// The open routes among `selection` (those `include` accepts) with their slots, oldest first.
    func ordered(_ selection: some Sequence<RouteSlot>,
                 where include: (Route) -> Bool = { _ in true }) -> [(slot: RouteSlot, route: Route)] {
        selection.compactMap { slot in self[slot].flatMap { include($0) ? (slot, $0) : nil } }
            .sorted { $0.route.id < $1.route.id }
    }
}
