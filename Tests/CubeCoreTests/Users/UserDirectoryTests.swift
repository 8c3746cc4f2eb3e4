@testable import CubeCore
import Testing

/// The directory of logged-in names: login order, a name's entry going with its last session,
/// "last seen" kept after that, compaction that keeps the order.
@Suite struct UserDirectoryTests {
    @Test func joinsKeepLoginOrderPerName() {
        var directory = UserDirectory()
        directory.joined(5, as: "calc", wall: 100)
        directory.joined(3, as: "echo", wall: 101)
        directory.joined(9, as: "calc", wall: 102)
        #expect(directory.ids(of: "calc") == [5, 9])
        #expect(directory.ids(of: "echo") == [3])
        #expect(directory.first(of: "calc") == 5)
        #expect(directory.count(of: "calc") == 2 && directory.count(of: "nobody") == 0)
        #expect(directory.isPresent("echo") && !directory.isPresent("nobody"))
        #expect(directory.ids(of: "nobody").isEmpty && directory.first(of: "nobody") == nil)
        #expect(directory.names.sorted() == ["calc", "echo"])
    }

    @Test func aNameGoesWithItsLastSessionButIsStillSeen() {
        var directory = UserDirectory()
        directory.joined(1, as: "w", wall: 100)
        directory.joined(2, as: "w", wall: 110)
        directory.left(1, of: "w", wall: 120)
        #expect(directory.ids(of: "w") == [2] && directory.isPresent("w"))
        directory.left(2, of: "w", wall: 130)
        #expect(!directory.isPresent("w") && directory.names.isEmpty)
        #expect(directory.lastSeen("w") == 130)
        #expect(directory.lastSeen("never") == nil)
        // A leave for a session that is not there still counts as seen, and changes nothing else.
        directory.left(7, of: "v", wall: 140)
        #expect(!directory.isPresent("v") && directory.lastSeen("v") == 140)
    }

    @Test func compactionDropsBlanksAndKeepsOrder() {
        var directory = UserDirectory()
        for id in 1...10 { directory.joined(SessionID(id), as: "w", wall: 100) }
        directory.left(2, of: "w", wall: 101)
        directory.left(5, of: "w", wall: 101)
        #expect(directory.hasBlanks("w"))
        #expect(directory.ids(of: "w") == [1, 3, 4, 6, 7, 8, 9, 10])
        directory.compact()
        #expect(!directory.hasBlanks("w"))
        #expect(directory.ids(of: "w") == [1, 3, 4, 6, 7, 8, 9, 10])
        directory.joined(11, as: "w", wall: 102)
        #expect(directory.ids(of: "w").last == 11)
    }
}
