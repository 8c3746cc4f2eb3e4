@testable import CubeCore
import Testing

/// The per-user session index: login order kept across removals, constant-time removal,
/// compaction that keeps every live id.
@Suite struct UserSessionsTests {
    @Test func orderSurvivesRemovalsAndCompaction() {
        var index = UserSessions()
        for id in 1...10 { index.append(SessionID(id)) }
        index.remove(3)
        index.remove(10)
        index.remove(1)
        #expect(index.ids == [2, 4, 5, 6, 7, 8, 9])
        #expect(index.count == 7 && !index.contains(3) && index.contains(9))
        index.compact()
        #expect(!index.hasBlanks)
        #expect(index.ids == [2, 4, 5, 6, 7, 8, 9])
        index.append(11)
        index.remove(4)
        #expect(index.ids == [2, 5, 6, 7, 8, 9, 11])
    }

    @Test func removingFromTheEndLeavesNoBlanks() {
        var index = UserSessions()
        for id in 1...5 { index.append(SessionID(id)) }
        index.remove(4)
        index.remove(5)
        #expect(index.ids == [1, 2, 3])
        #expect(!index.hasBlanks, "trailing blanks are dropped with the last entry")
        index.remove(2)
        index.remove(3)
        #expect(!index.hasBlanks && index.ids == [1])
        index.remove(1)
        #expect(index.isEmpty && index.ids.isEmpty)
    }

    @Test func blanksNeverOutgrowTheLiveEntries() {
        var index = UserSessions()
        for id in 1...10_000 { index.append(SessionID(id)) }
        // Remove every id but the last, front to back: the worst order for an array.
        for id in 1..<10_000 {
            index.remove(SessionID(id))
            if id % 97 == 0 { #expect(index.ids.count == 10_000 - id) }
        }
        #expect(index.ids == [10_000])
        #expect(index.count == 1)
    }

    @Test func aRemovedOrUnknownIDIsIgnored() {
        var index = UserSessions()
        index.append(7)
        index.append(7)
        index.remove(8)
        #expect(index.ids == [7] && index.count == 1)
    }

    /// Through the router: a name fans out in login order after sessions in the middle left,
    /// and the tick compacts the index without changing that order.
    @Test func fanOutKeepsLoginOrderAfterMassClose() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("", file: "test"), owner: "root")
        let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 1, now: now)
        var ids: [SessionID] = []
        for _ in 0..<200 { ids.append(router.connectLocal(user: "w", transport: .local("fs"), now: now).0) }
        for (position, id) in ids.enumerated() where position % 3 != 0 { _ = router.disconnected(id, now: now) }
        let survivors = ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        #expect(router.sessions(of: "w") == survivors)
        _ = router.tick(now: now)
        #expect(router.sessions(of: "w") == survivors)
        #expect(router.users.hasBlanks("w") == false)
    }
}
