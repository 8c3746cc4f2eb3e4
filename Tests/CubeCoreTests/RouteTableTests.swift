@testable import CubeCore
import Testing

/// The slab of open routes: slots are reused, order follows route ids, an empty table lets
/// its peak size go.
@Suite struct RouteTableTests {
    private let source = SessionHandle(id: 1_000_001, slot: 0, generation: 1)
    private let target = SessionHandle(id: 1_000_002, slot: 1, generation: 2)

    private func route(_ id: RouteID) -> Route {
        Route(id: id, sourceCommandID: 0, sourceSession: source, targetSession: target, account: nil,
              targetCommandID: 100_000 + id, path: bytes("calc.heart"), started: 0, lastActivity: 0, heartStarted: nil,
              purpose: nil)
    }

    @Test func removedSlotsAreReusedAndOrderFollowsRouteIDs() {
        var table = RouteTable()
        let first = table.insert(route(1))
        let second = table.insert(route(2))
        #expect(table.count == 2)
        #expect(table.remove(first)?.id == 1)
        #expect(table.remove(first) == nil, "a slot empties once")
        let third = table.insert(route(3))
        #expect(third == first, "the vacant slot is taken before the slab grows")
        #expect(table.holds(third, id: 3) && !table.holds(third, id: 1), "a reused slot holds the new route only")
        #expect(table.ordered().map(\.route.id) == [2, 3])
        #expect(table.ordered([third, second]).map(\.slot) == [second, third])
        #expect(table.ordered { $0.id > 2 }.map(\.route.id) == [3])
        #expect(table[99] == nil && table[-1] == nil)
        #expect(table[second]?.source == source.id && table.target(of: second) == target.id)
    }

    @Test func touchAndPurposeChangeTheRouteInPlace() {
        var table = RouteTable()
        let slot = table.insert(route(1))
        table.touch(slot, at: 42)
        table.setPurpose(.leaseRequest(7), of: slot)
        #expect(table[slot]?.lastActivity == 42)
        #expect(table[slot]?.purpose == .leaseRequest(7))
        table.touch(99, at: 1)  // out of range: ignored
    }

    @Test func anEmptiedTableStartsAfresh() {
        var table = RouteTable()
        let slots = (1...2000).map { table.insert(route(RouteID($0))) }
        for slot in slots { table.remove(slot) }
        #expect(table.count == 0)
        #expect(table.ordered().isEmpty)
        #expect(table.insert(route(2001)) == 0, "the slab was reset, not left at its peak")
    }
}
