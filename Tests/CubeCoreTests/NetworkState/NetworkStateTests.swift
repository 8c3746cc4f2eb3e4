@testable import CubeCore
import Testing

/// The router's network machine on its own (docs/network.md): links per neighbour, peers
/// being dialled, advert sequence numbers, re-advert and keep-alive timing, reachability.
@Suite struct NetworkStateTests {
    static func state(peers: String = "tcp:a:1") throws -> NetworkState {
        let text = "node.name = n1\naccess.cmd.usr.* = **\nnetwork.peers = \(peers)"
        let configuration = try CubeConfiguration.load(try ConfigFile.parse(text, file: "n1.conf"), owner: "root")
        let setup = NetworkSetup(signer: ToySigner(publicKey: ToyMAC.key(for: "n1")), verifier: ToyVerifier())
        return NetworkState(setup, configuration: configuration)
    }

    static func address(_ text: String) throws -> PeerAddress { try #require(PeerAddress(text)) }

    @Test func configuredPeersAreKnownFromTheStart() throws {
        let state = try Self.state(peers: "tcp:a:1 tcp:b:2")
        #expect(state.peers.count == 2)
        #expect(state.peers[try Self.address("tcp:b:2")]?.source == .configured)
        #expect(state.topology.localNode == "n1")
    }

    @Test func theFirstLinkToANodeOpensItAndASpareChangesNothing() throws {
        var state = try Self.state()
        let adverts = state.linkUp(10, to: "n2")
        #expect(adverts != nil, "the first link to n2 gives the adverts to send it")
        let spare = state.linkUp(11, to: "n2")
        #expect(spare == nil, "a second link is a spare")
        #expect(state.hasLink(to: "n2") && state.linkSession(to: "n2") == 10)
        #expect(state.linkIDs == [10, 11])
        #expect(state.nextHop(towards: "n2") == "n2", "a neighbour before its advert arrived")
        #expect(state.nextHop(towards: "n9") == nil)
        // The traffic link goes first; the spare takes over; the node goes with the last link.
        let first = state.linkDown(10, to: "n2")
        #expect(!first)
        #expect(state.linkSession(to: "n2") == 11)
        let last = state.linkDown(11, to: "n2")
        #expect(last)
        #expect(!state.hasLink(to: "n2") && state.links["n2"] == nil && state.linkIDs.isEmpty)
    }

    @Test func dialledLiftsAnUnlinkAndRecordsTheNode() throws {
        var state = try Self.state()
        let known = try Self.address("tcp:a:1")
        state.refused.insert("n2")
        state.peers[known]?.lastError = "refused"
        #expect(!state.accepts("n2"))
        let lifted = state.dialled(known, reached: "n2")
        #expect(lifted, "dialling a known address on purpose lifts the unlink")
        #expect(state.peers[known]?.node == "n2" && state.peers[known]?.lastError == nil)
        // An address not dialled on purpose lifts nothing.
        state.refused.insert("n3")
        let unknown = state.dialled(try Self.address("tcp:z:9"), reached: "n3")
        #expect(!unknown)
        // This node's own name and invalid names never make a link; the peer keeps no node.
        let own = state.dialled(known, reached: "n1")
        #expect(!own)
        #expect(state.peers[known]?.node == "n2")
        #expect(!state.accepts("not a name"))
    }

    @Test func peerStatusAddsUnknownAddressesWithTheirOrigin() throws {
        var state = try Self.state()
        let found = try Self.address("tcp:d:4")
        state.peerStatus(found, error: "timed out", origin: .discovered)
        #expect(state.peers[found]?.source == .discovered && state.peers[found]?.lastError == "timed out")
        state.peerStatus(found, error: nil, origin: .command)
        #expect(state.peers[found]?.source == .discovered && state.peers[found]?.lastError == nil)
    }

    @Test func sequenceNumbersFollowTheClockAndAlwaysRise() throws {
        var state = try Self.state()
        let (first, _) = state.publish(zenki: ["calc"], offers: [], loads: [], now: 1_000)
        #expect(first.sequence == 1_000_000)
        let (second, _) = state.publish(zenki: ["calc"], offers: [], loads: [], now: 1_000)
        #expect(second.sequence == 1_000_001, "adverts within one millisecond count on")
        let (earlier, _) = state.publish(zenki: ["calc"], offers: [], loads: [], now: 900)
        #expect(earlier.sequence == 1_000_002, "a clock stepping back never lowers the sequence")
        let higher = state.ownSequenceSeen(5_000_000)
        #expect(higher, "an earlier run used higher numbers")
        #expect(state.sequence == 5_000_000)
        let lower = state.ownSequenceSeen(4_000_000)
        #expect(!lower)
        let (after, _) = state.publish(zenki: ["calc"], offers: [], loads: [], now: 1_001)
        #expect(after.sequence == 5_000_001)
    }

    @Test func publishingIsDueWhenTheAdvertChangesOrTheIntervalPasses() throws {
        var state = try Self.state()
        #expect(state.publishDue(zenki: [], offers: [], loads: [], now: 100, interval: 30), "never published")
        _ = state.publish(zenki: ["calc"], offers: [], loads: [], now: 100)
        #expect(!state.publishDue(zenki: ["calc"], offers: [], loads: [], now: 129, interval: 30))
        #expect(state.publishDue(zenki: ["calc"], offers: [], loads: [], now: 130, interval: 30))
        #expect(state.publishDue(zenki: ["calc", "echo"], offers: [], loads: [], now: 101, interval: 30))
    }

    @Test func keepAlivesGoOutEveryThirdOfTheTimeout() throws {
        var state = try Self.state()
        let timeout: UInt64 = 30_000_000_000
        let due = [10_000_000_000, 19_999_999_999, 20_000_000_000, 20_000_000_001].map {
            state.keepAliveDue(now: $0, timeout: timeout)
        }
        #expect(due == [true, false, true, false])
    }

    @Test func reachabilityChangesAreReportedInNameOrder() throws {
        var state = try Self.state()
        let before = state.reachable
        #expect(before.isEmpty, "this node is never reachable from itself")
        _ = state.linkUp(10, to: "n3")
        _ = state.linkUp(11, to: "n2")
        // A neighbour is reachable once its advert lists this node back.
        for node in ["n2", "n3"] {
            var peer = Topology(localNode: node, localKey: ToyMAC.key(for: node), verifier: ToyVerifier())
            _ = peer.linkUp("n1")
            let advert = peer.localAdvert(seq: 1, zenki: [], offers: [], now: 100).signed(by: ToySigner(publicKey: ToyMAC.key(for: node)))
            _ = state.topology.accept(advert, from: node, now: 100)
        }
        #expect(state.reachabilityEvents(since: before) == [.node(name: "n2", reachable: true), .node(name: "n3", reachable: true)])
        let up = state.reachable
        _ = state.linkDown(10, to: "n3")
        #expect(state.reachabilityEvents(since: up) == [.node(name: "n3", reachable: false)])
    }
}
