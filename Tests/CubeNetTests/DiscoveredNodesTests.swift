import CubeCore
@testable import CubeNet
import Testing

/// Where discovery dials a node (docs/network.md "Discovery"): its latest announcement, never
/// an older one replayed after it moved.
@Suite struct DiscoveredNodesTests {
    @Test func aReplayedOlderAnnouncementDoesNotMoveTheNodeBack() throws {
        let old = try #require(PeerAddress("tcp:10.77.0.2:7070"))
        let new = try #require(PeerAddress("tcp:10.77.0.9:7070"))
        var nodes = DiscoveredNodes()
        #expect(nodes.take("n2", at: old, issued: 100) == .new)
        #expect(nodes.take("n2", at: old, issued: 105) == .same)
        #expect(nodes.take("n2", at: new, issued: 110) == .moved(previous: old))
        // Captured at 105 and sent again: still fresh, but older than what was taken.
        #expect(nodes.take("n2", at: old, issued: 105) == .replayed)
        #expect(nodes.take("n2", at: new, issued: 115) == .same)
    }
}
