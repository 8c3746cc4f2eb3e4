import CubeClient
import CubeCore
import Foundation
import Testing

/// No over-commit across the network (docs/market.md "Failure cases", issue 16 "Done when"):
/// three real cubes linked on loopback, one offer of capacity 30 on n3, and 100 acquires sent
/// at once from users on n1 and n2, half by the offer's id and half by matchmaking. The
/// providing node alone reserves, so exactly 30 are granted, every other gets a clear FALSE,
/// and the provider is asked exactly 30 times.
@Suite(.serialized) struct MarketRaceLiveTests {
    static let capacity = 30
    static let acquires = 100

    @Test func hundredRacingAcquiresAcrossNodesNeverOverCommit() throws {
        let net = try RingNetwork(names: ["n1", "n2", "n3"], links: [("n1", "n2"), ("n2", "n3"), ("n1", "n3")])
        defer { net.shutdown() }
        for name in net.names { try net.start(name) }
        try net.waitForTopology(net.allEdges, timeout: 30)
        let provider = try MarketProvider(socketPath: net.cube("n3").socketPath, offer: "compute \(Self.capacity) cores=8 price=0")
        defer { provider.stop() }
        let offer = "n3:\(provider.offerID)"
        // Matchmaking on n1 and n2 reads n3's advert: wait until both list the offer.
        for node in ["n1", "n2"] {
            let deadline = Date().addingTimeInterval(20)
            func listed() throws -> Bool { Self.body(try net.client(node).ask("offers compute")).contains(offer) }
            while Date() < deadline, try !listed() { usleep(20_000) }
            #expect(try listed(), "\(node) does not list \(offer)")
        }

        // Ten sessions on each of n1 and n2, five acquires each, all written before any reply
        // is read: 100 acquires in flight at once.
        var sessions: [(client: RingClient, ids: [UInt64])] = []
        for node in ["n1", "n2"] {
            for _ in 0..<10 { sessions.append((try RingClient(socketPath: net.cube(node).socketPath), [])) }
        }
        var batches: [String] = []
        for index in sessions.indices {
            var batch = ""
            for round in 0..<(Self.acquires / sessions.count) {
                let id = UInt64(100 + round)
                sessions[index].ids.append(id)
                let byMatch = (index + round).isMultiple(of: 2)
                batch += byMatch ? "(\(id))acquire compute 1 120 where cores >= 8 rank -price\n" : "(\(id))acquire \(offer) 1 120\n"
            }
            batches.append(batch)
        }
        for (index, batch) in batches.enumerated() { try sessions[index].client.sendRaw(batch) }
        var replies: [Reply] = []
        for session in sessions {
            for id in session.ids { replies.append(try session.client.reply(for: id, timeout: 60)) }
        }

        let granted = replies.filter { $0.keyword == .trueReply }
        let refused = replies.filter { $0.keyword == .falseReply }
        #expect(granted.count == Self.capacity, "\(replies.map(\.rawText))")
        #expect(refused.count == Self.acquires - Self.capacity)
        // A refusal is clear: the providing node says nothing is left, or the consumer's node
        // already saw that in n3's advert and matched nothing.
        let clear = ["insufficient capacity [ 0 available ]", "no offer of kind 'compute' matches"]
        #expect(refused.allSatisfy { clear.contains($0.textString) }, "\(refused.map(\.rawText))")
        // Each grant is a distinct lease of that offer, for 1 unit.
        let leases = granted.map { $0.textString.split(separator: " ").map(String.init) }
        #expect(leases.allSatisfy { $0.count == 8 && $0[0] == "lease" && $0[2...5] == ["offer", "\(provider.offerID)", "amount", "1"] },
                "\(leases)")
        #expect(Set(leases.compactMap { $0.count > 1 ? $0[1] : nil }).count == Self.capacity)
        // The provider was asked exactly for those leases, and n3 holds exactly the capacity.
        let asked = provider.requests
        #expect(asked.count == Self.capacity, "\(asked)")
        #expect(Set(asked.map { $0.split(separator: " ")[1] }) == Set(leases.compactMap { $0.count > 1 ? Substring($0[1]) : nil }))
        let table = Self.body(try net.client("n3").ask("offers compute"))
        let rows = table.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first.map { Array($0.prefix(5)) } == ["\(provider.offerID)", "compute", "unix-root", "\(Self.capacity)", "0"],
                "\(table)")
        let heldRows = Self.body(try net.client("n3").ask("leases")).split(separator: "\n").dropFirst(2)
        #expect(heldRows.count == Self.capacity)
        #expect(heldRows.map { Int($0.split(separator: " ")[3]) ?? 0 }.reduce(0, +) <= Self.capacity)
        // One more from n1 is refused too: nothing frees itself.
        #expect(try net.client("n1").ask("acquire \(offer) 1", timeout: 20).textString == "insufficient capacity [ 0 available ]")
        print("market race: \(Self.acquires) acquires from n1 and n2 at once, \(granted.count) granted, \(refused.count) refused "
            + "(\(refused.filter { $0.textString.hasPrefix("insufficient") }.count) by n3, "
            + "\(refused.filter { $0.textString.hasPrefix("no offer") }.count) by matching the advert)")
    }

    /// A `SIZE` reply's table as text.
    static func body(_ reply: Reply) -> String { String(decoding: reply.body ?? [], as: UTF8.self) }
}
