import CubeCore
import Testing

/// The consumer's side of leases held on other nodes and the comparison a returning link
/// makes (docs/market.md "Leases held on other nodes", "A link that comes back").
@Suite struct RemoteLeasesTests {
    static let wall: Int64 = 1_795_000_000
    let session = SessionID(4)

    @Test func aGrantIsRememberedUntilItsNodeSaysItEnded() throws {
        var remote = RemoteLeases()
        let granted = remote.granted(ReplyFields("lease 7 offer 2 amount 3600 ttl 600 price 1.000 since \(Self.wall)"), node: "n3",
                                     user: "alice", session: session, wall: Self.wall)
        let entry = try #require(granted)
        #expect(entry.name == "n3:7" && entry.offer == 2 && entry.amount == 3600 && entry.ttl == 600 && entry.price == 1000)
        let result1 = remote.granted(ReplyFields("lease 8 offer 2 amount 1 ttl 60"), node: "n2", user: "bob", session: session, wall: Self.wall)
        #expect(result1?.price == 0)
        let result2 = remote.granted(ReplyFields("lease 9 offer x amount 1 ttl 60"), node: "n2", user: "bob", session: session, wall: Self.wall)
        #expect(result2 == nil)
        let result3 = remote.granted(ReplyFields("insufficient capacity"), node: "n2", user: "bob", session: session, wall: Self.wall)
        #expect(result3 == nil)
        #expect(remote.held(by: "alice").map(\.name) == ["n3:7"])
        #expect(remote.held(on: "n2") == [8])
        let key = ReceiptBook.TabKey(node: "n3", lease: 7)
        let result4 = remote.ended(node: "n3", lease: 7, reason: "released")
        #expect(result4 == .ended(key, reason: "released", user: "alice", session: session))
        let result5 = remote.ended(node: "n3", lease: 7, reason: "released")
        #expect(result5 == nil)
        #expect(RemoteLeases.Notice.ended(key, reason: "out-of-credit", user: "alice", session: nil).command
                == ("lease-end", "n3:7 out-of-credit"))
    }

    @Test func aLowBalanceWarnsOnceAndNotWhenNothingIsLeft() {
        var remote = RemoteLeases()
        let key = ReceiptBook.TabKey(node: "n3", lease: 7)
        remote.granted(ReplyFields("lease 7 offer 2 amount 3600 ttl 600 price 1.000 since 1"), node: "n3", user: "alice", session: session, wall: 1)
        // 1 credit a second: five minutes is 300,000 millicredits.
        let result6 = remote.charged(key, user: "alice", price: 1000, amount: 3600, balance: 300_000)
        #expect(result6 == nil)
        let result7 = remote.charged(key, user: "alice", price: 1000, amount: 3600, balance: 0)
        #expect(result7 == nil)
        let warning = remote.charged(key, user: "alice", price: 1000, amount: 3600, balance: 299_999)
        #expect(warning == .warning(key, user: "alice", session: session))
        #expect(warning.map { "\($0.command.path) \($0.command.args)" } == "lease-warning n3:7 low-credit")
        let result8 = remote.charged(key, user: "alice", price: 1000, amount: 3600, balance: 1000)
        #expect(result8 == nil)
    }

    @Test func aReturningLinkTakesBackWhatTheConsumerHoldsAndEndsTheRest() {
        let held = [LeaseReconciliation.Held(id: 3, waiting: true), LeaseReconciliation.Held(id: 1, waiting: true),
                    LeaseReconciliation.Held(id: 2, waiting: false), LeaseReconciliation.Held(id: 5, waiting: false)]
        let outcome = LeaseReconciliation.compare(listed: [1, 2, 4], held: held)
        // 2 is listed and was never waiting; 5 is neither listed nor waiting: its grant may be on its way.
        #expect(outcome == LeaseReconciliation.Outcome(takeOver: [1], end: [3], unknown: [4]))
        #expect(LeaseReconciliation.compare(listed: [], held: []) == LeaseReconciliation.Outcome())
    }

    @Test func heldLinesRoundTripInBoundedLines() {
        let ids = (1...150).map(UInt64.init)
        let lines = LeaseReconciliation.lines(ids)
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("held ") })
        #expect(lines.compactMap(LeaseReconciliation.ids).flatMap { $0 } == ids)
        #expect(LeaseReconciliation.lines([]) == ["held"] && LeaseReconciliation.ids("held") == [])
        for bad in ["held 01", "held -1", "held  1", "held x", "hold 1", "held " + (0...64).map(String.init).joined(separator: " ")] {
            #expect(LeaseReconciliation.ids(bad) == nil, "\(bad.prefix(20))")
        }
    }
}
