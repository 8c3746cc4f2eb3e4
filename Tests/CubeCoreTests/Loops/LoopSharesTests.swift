import CubeCore
import Testing

/// ``LoopShares``: one peer's connections stay on one loop; a new peer goes to the least busy
/// loop, so a user with thousands of sessions does not share its loop with the next user.
@Suite struct LoopSharesTests {
    @Test func aPeersConnectionsShareOneLoopAndTheNextPeerGoesElsewhere() {
        var shares = LoopShares(loops: 2)
        let first = shares.assign(1)
        for _ in 0..<9_999 { #expect(shares.assign(1) == first) }
        #expect(shares.connections[first] == 10_000)
        let other = shares.assign(0)
        #expect(other != first)
        // Another new peer also avoids the crowded loop.
        #expect(shares.assign(65_534) == other)
        #expect(shares.peerCount == 3)
    }

    @Test func releasingTheLastConnectionForgetsThePeer() {
        var shares = LoopShares(loops: 2)
        let loop = shares.assign(7)
        _ = shares.assign(7)
        shares.release(7)
        #expect(shares.connections[loop] == 1)
        #expect(shares.peerCount == 1)
        shares.release(7)
        #expect(shares.connections == [0, 0])
        #expect(shares.peerCount == 0)
        // Releasing an unknown peer changes nothing (a connection counted nowhere).
        shares.release(7)
        #expect(shares.connections == [0, 0])
    }

    @Test func oneLoopTakesEverybody() {
        var shares = LoopShares(loops: 0)
        #expect(shares.assign(1) == 0)
        #expect(shares.assign(2) == 0)
        #expect(shares.connections == [2])
    }
}
