@testable import CubeCore
import Testing

/// The slab of sessions (docs/architecture.md "Sessions live in a slab"): sessions are found by
/// id and by handle and changed where they lie, slots are reused, a stale handle reaches
/// nothing (not the session that took its slot since), and an emptied table starts afresh.
@Suite struct SessionTableTests {
    private func session(_ id: SessionID) -> Session {
        Session(id: id, transport: .unix, peer: nil, origin: nil, since: Timestamp(monotonic: id, wall: 0), phase: .active,
                decoder: FrameDecoder(mode: .messages, maximumLineLength: 64))
    }

    @Test func sessionsAreFoundByIDAndByHandleAndChangedInPlace() {
        var table = SessionTable()
        let first = table.insert(session(1_000_001))
        let second = table.insert(session(1_000_002))
        #expect(table.count == 2)
        #expect(first.id == 1_000_001 && second.id == 1_000_002)
        #expect(table.handle(1_000_002) == second)
        #expect(table.handle(1_000_003) == nil && table[1_000_003] == nil)
        table[second]?.user = "zenka"
        table[1_000_001]?.decoder.append(Array("(1)heart\n".utf8))
        #expect(table[1_000_002]?.user == "zenka")
        #expect(table[first]?.decoder.bufferedByteCount == 9)
        table[1_000_003]?.user = "nobody"  // no such session: nothing is added
        #expect(table.count == 2 && !table.contains(1_000_003))
        #expect(table.sorted().map(\.id) == [1_000_001, 1_000_002])
        #expect(table.sorted { $0.user == "zenka" }.map(\.id) == [1_000_002])
        #expect(Set(table.ids) == [1_000_001, 1_000_002])
    }

    @Test func aReusedSlotIsNotReachedThroughAStaleHandle() {
        var table = SessionTable()
        let first = table.insert(session(1_000_001))
        let kept = table.insert(session(1_000_002))
        #expect(table.remove(1_000_001)?.id == 1_000_001, "moved out whole")
        #expect(table.remove(1_000_001) == nil, "a session leaves once")
        #expect(!table.contains(first) && table[first] == nil)
        let third = table.insert(session(1_000_003))
        #expect(third.slot == first.slot, "the vacant slot is taken before the slab grows")
        #expect(third.generation != first.generation)
        #expect(table[first] == nil, "the stale handle reaches nothing, not the new occupant")
        table[first]?.user = "intruder"
        #expect(table[third]?.user == nil)
        #expect(table[third]?.id == 1_000_003 && table[kept]?.id == 1_000_002)
        #expect(table.handle(1_000_001) == nil)
    }

    @Test func assigningNilRemovesTheSession() {
        var table = SessionTable()
        let first = table.insert(session(1_000_001))
        let second = table.insert(session(1_000_002))
        table[1_000_001] = nil
        table[second] = nil
        #expect(table.count == 0 && !table.contains(first) && !table.contains(second))
        let again = table.insert(session(1_000_001))
        #expect(table[again]?.id == 1_000_001 && table.count == 1)
    }

    @Test func anEmptiedTableStartsAfreshAndOldHandlesStayStale() {
        var table = SessionTable()
        let handles = (1...2000).map { table.insert(session(1_000_000 + SessionID($0))) }
        for handle in handles { table.remove(handle.id) }
        #expect(table.count == 0 && table.sorted().isEmpty)
        let fresh = table.insert(session(1_000_001))
        #expect(fresh.slot == 0, "the slab was reset, not left at its peak")
        #expect(table[handles[0]] == nil, "a generation is never issued twice")
        #expect(table[fresh]?.id == 1_000_001)
    }

    /// Through the router: a session that leaves with commands in flight gives back what its
    /// routes cost (each route keeps its source's account, the source's handle being stale by
    /// then), and the collapse counts as an error of the target's name.
    @Test func aSourceLeavingWithOpenRoutesReturnsTheirMemory() throws {
        let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **\n", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 3, now: now)
        let (asker, _) = router.connectLocal(user: "asker", transport: .local("test"), now: now)
        let (zenka, _) = router.connectLocal(user: "z", transport: .local("test"), now: now)
        _ = router.received(Array("(1)z.never\n(2)z.never\n".utf8), from: asker, now: now)
        #expect(router.routeCount == 2)
        #expect(router.memoryHeld == 2 * Route.memoryCost(pathLength: 7))
        _ = router.disconnected(asker, now: now)
        #expect(router.routeCount == 0 && router.memoryHeld == 0)
        #expect(router.sessions[zenka]?.targetRoutes.isEmpty == true)
        #expect(router.sessions[zenka]?.unansweredBytes == 0)
        // A zenka leaving with routes sent to it: the collapse counts as its name's error.
        let (again, _) = router.connectLocal(user: "asker", transport: .local("test"), now: now)
        _ = router.received(Array("(3)z.never\n".utf8), from: again, now: now)
        _ = router.disconnected(zenka, now: now)
        #expect(router.targetCounters["z"]?.answers.errors == 1)
        #expect(router.memoryHeld == 0)
    }
}
