@testable import CubeCore
import Testing

/// What `link`, `unlink` and a reload of `network.peers` change in the network machine
/// (docs/protocol.md "Links and nodes", docs/configuration.md "Reload").
@Suite struct NetworkPeersTests {
    static func address(_ text: String) throws -> PeerAddress { try #require(PeerAddress(text)) }

    @Test func linkDialsANewAddressOnceAndLiftsAnUnlink() throws {
        var state = try NetworkStateTests.state(peers: "tcp:a:1")
        let known = try Self.address("tcp:a:1")
        state.peers[known]?.node = "n2"
        state.refused.insert("n2")
        let again = state.linkPeer(known)
        #expect(!again, "a known address is not dialled twice")
        #expect(!state.refused.contains("n2"), "linking its address lifts the unlink of the node met there")
        let fresh = try Self.address("tcp:b:2")
        let added = state.linkPeer(fresh)
        #expect(added && state.peers[fresh]?.source == .command)
        state.refused.insert("n5")
        let lifted = state.acceptAgain("n5")
        let notRefused = state.acceptAgain("n6")
        #expect(lifted && !notRefused && state.refused.isEmpty)
    }

    @Test func unlinkByNameForgetsEveryAddressAndClosesItsLinks() throws {
        var state = try NetworkStateTests.state(peers: "tcp:a:1 tcp:b:2 tcp:c:3")
        let (a, b) = (try Self.address("tcp:a:1"), try Self.address("tcp:b:2"))
        state.peers[a]?.node = "n2"
        state.peers[b]?.node = "n2"
        _ = state.linkUp(10, to: "n2")
        _ = state.linkUp(11, to: "n2")
        let unlinking = state.unlink("n2") { _ in nil }
        #expect(unlinking == .init(node: "n2", hangUp: [a, b], close: [10, 11]))
        #expect(state.refused.contains("n2") && !state.accepts("n2"))
        #expect(state.peers.keys.map(\.description) == ["tcp:c:3"])
    }

    @Test func unlinkByAddressFindsTheNodeOfAnInboundLink() throws {
        var state = try NetworkStateTests.state(peers: "tcp:a:1")
        _ = state.linkUp(20, to: "n4")
        let unlinking = state.unlink("10.0.0.4:5000") { $0 == 20 ? "10.0.0.4:5000" : nil }
        #expect(unlinking == .init(node: "n4", hangUp: [], close: [20]))
        #expect(state.refused == ["n4"])
        let nothing = state.unlink("nobody") { _ in nil }
        #expect(nothing == nil, "a word that names nothing changes nothing")
        #expect(state.refused == ["n4"] && state.peers.count == 1)
    }

    @Test func aReloadDialsAddedPeersAndHangsUpOnlyConfiguredOnes() throws {
        var state = try NetworkStateTests.state(peers: "tcp:a:1 tcp:b:2")
        let (a, b, c, d) = (try Self.address("tcp:a:1"), try Self.address("tcp:b:2"), try Self.address("tcp:c:3"),
                            try Self.address("tcp:d:4"))
        _ = state.linkPeer(d)
        let changes = state.configuredPeersChanged(from: [a, b, d], to: [b, c])
        #expect(changes.dial == [c] && changes.hangUp == [a], "d came from `link` and stays until `unlink`")
        #expect(Set(state.peers.keys) == [b, c, d])
        #expect(state.peers[c]?.source == .configured)
    }
}
