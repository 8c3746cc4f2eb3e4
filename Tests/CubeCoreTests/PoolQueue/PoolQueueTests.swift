@testable import CubeCore
import Testing

/// The cube-side queue of a balanced name (docs/pooling.md "Queue") as a pure state machine:
/// FIFO, bounded in count and bytes, expiry and a leaving sender take exactly their entries.
@Suite struct PoolQueueTests {
    private func filled(_ items: [(Int, SessionID, Int, UInt64)]) -> PoolQueue<Int> {
        var queue = PoolQueue<Int>()
        for (item, source, bytes, since) in items {
            let refusal = queue.enqueue(item, source: source, bytes: bytes, at: since, countLimit: 100, byteLimit: 10_000)
            #expect(refusal == nil)
        }
        return queue
    }

    @Test func oldestFirstAndCountedInBytes() {
        var queue = filled([(1, 10, 100, 1), (2, 11, 50, 2), (3, 10, 25, 3)])
        #expect(queue.count == 3)
        #expect(queue.bytes == 175)
        #expect(queue.oldestSince == 1)
        #expect(queue.takeOldest()?.item == 1)
        #expect(queue.takeOldest()?.item == 2)
        #expect(queue.bytes == 25)
        #expect(queue.takeOldest()?.item == 3)
        #expect(queue.takeOldest() == nil)
        #expect(queue.isEmpty)
        #expect(queue.bytes == 0)
        #expect(queue.oldestSince == nil)
    }

    @Test func boundsRefuseWithTheLimitThatWasMet() {
        var queue = PoolQueue<Int>()
        #expect(queue.enqueue(1, source: 1, bytes: 60, at: 0, countLimit: 2, byteLimit: 100) == nil)
        // 60 + 50 > 100: the byte bound refuses, the queue is unchanged.
        #expect(queue.enqueue(2, source: 1, bytes: 50, at: 0, countLimit: 2, byteLimit: 100) == .bytes(limit: 100))
        #expect(queue.enqueue(3, source: 1, bytes: 40, at: 0, countLimit: 2, byteLimit: 100) == nil)
        #expect(queue.enqueue(4, source: 1, bytes: 0, at: 0, countLimit: 2, byteLimit: 100) == .count(limit: 2))
        #expect(queue.count == 2)
        #expect(queue.bytes == 100)
        // Taking one makes room again.
        _ = queue.takeOldest()
        #expect(queue.enqueue(5, source: 1, bytes: 60, at: 0, countLimit: 2, byteLimit: 100) == nil)
        #expect(queue.takeAll().map(\.item) == [3, 5])
    }

    @Test func aPutBackEntryKeepsItsPlaceAndAge() {
        var queue = filled([(1, 10, 10, 5), (2, 10, 10, 6)])
        let first = queue.takeOldest()
        #expect(first?.item == 1)
        #expect(queue.enqueue(3, source: 10, bytes: 10, at: 7, countLimit: 100, byteLimit: 100) == nil)
        if let first { queue.putBack(first) }
        #expect(queue.bytes == 30)
        #expect(queue.oldestSince == 5)
        #expect(queue.takeAll().map(\.item) == [1, 2, 3])
    }

    /// The next sender's entry taken in turn and put back keeps its place, not the front: the
    /// older entries behind it still expire on time (a hostile tester saw commands time out
    /// up to a whole `timeouts.route` late).
    @Test func anEntryTakenInTurnAndPutBackDoesNotHideOlderOnes() {
        var queue = filled([(1, 10, 1, 10), (2, 10, 1, 11), (3, 20, 1, 30)])
        // Sender 10 had its turn; sender 20's (the newest) is next.
        #expect(queue.takeNext()?.item == 1)
        let taken = queue.takeNext()
        #expect(taken?.item == 3)
        if let taken { queue.putBack(taken) }
        #expect(queue.oldestSince == 11)
        #expect(queue.takeExpired(now: 45, timeout: 30).map(\.item) == [2])
        #expect(queue.takeAll().map(\.item) == [3])
    }

    @Test func expiryTakesTheOldPrefixOnly() {
        var queue = filled([(1, 10, 1, 10), (2, 11, 1, 20), (3, 12, 1, 30)])
        #expect(queue.takeExpired(now: 39, timeout: 30).isEmpty)
        #expect(queue.takeExpired(now: 50, timeout: 30).map(\.item) == [1, 2])
        #expect(queue.count == 1)
        #expect(queue.bytes == 1)
    }

    @Test func aLeavingSenderTakesOnlyItsOwn() {
        var queue = filled([(1, 10, 5, 1), (2, 11, 7, 2), (3, 10, 5, 3), (4, 11, 7, 4)])
        #expect(queue.take(from: 10).map(\.item) == [1, 3])
        #expect(queue.take(from: 99).isEmpty)
        #expect(queue.bytes == 14)
        #expect(queue.takeAll().map(\.item) == [2, 4])
    }

    @Test func manyTakesKeepTheOrderAcrossCompaction() {
        var queue = PoolQueue<Int>()
        var expected: [Int] = []
        var next = 0
        // Interleave: enqueue three, take two, for long enough to pass the compaction point.
        for _ in 0..<200 {
            for _ in 0..<3 {
                #expect(queue.enqueue(next, source: 1, bytes: 1, at: UInt64(next), countLimit: 10_000, byteLimit: 10_000) == nil)
                next += 1
            }
            for _ in 0..<2 { if let entry = queue.takeOldest() { expected.append(entry.item) } }
        }
        expected += queue.takeAll().map(\.item)
        #expect(expected == Array(0..<600))
        #expect(queue.bytes == 0)
    }

    /// Items 0..<`count` from session 1, `bytes` each, queued at 0, 1, 2 …
    private func backlog(_ count: Int, bytes: Int) -> PoolQueue<Int> {
        var queue = PoolQueue<Int>()
        for item in 0..<count {
            #expect(queue.enqueue(item, source: 1, bytes: bytes, at: UInt64(item), countLimit: 20_000, byteLimit: 100_000) == nil)
        }
        return queue
    }

    /// A sender that leaves, or is asked about, costs its own entries, not the queue's length
    /// (docs/pooling.md "Queue"). Before, every close of a session that had ever queued scanned
    /// and rebuilt the whole queue: with 9,000 commands waiting, 1,000 sessions that each
    /// queued one and closed examined about 9 million entries and stalled the cube for
    /// everyone (a hostile tester measured 6 s of CPU, 1.6 s for another loop's client).
    @Test func aLeavingSenderCostsItsOwnEntriesNotTheQueue() {
        var queue = backlog(9_000, bytes: 1)
        for sender in 0..<1_000 {
            let source = SessionID(100 + sender)
            #expect(queue.enqueue(-sender, source: source, bytes: 1, at: 9_000, countLimit: 20_000, byteLimit: 100_000) == nil)
            #expect(queue.holds(from: source))
            let before = queue.examined
            #expect(queue.take(from: source).map(\.item) == [-sender])
            // Its single entry, nothing else.
            #expect(queue.examined - before == 1)
            #expect(!queue.holds(from: source))
        }
        #expect(queue.examined == 1_000)
        #expect(queue.count == 9_000)
        #expect(queue.bytes == 9_000)
        #expect(queue.takeAll().map(\.item) == Array(0..<9_000))
    }

    /// Many senders that leave while a few entries wait: the holes they leave are compacted
    /// once they are as many as the entries held, so the work stays proportional to what was
    /// removed (amortised) and the order, the bytes and each sender's entries stay right.
    @Test func holesLeftByLeavingSendersAreCompactedInAmortisedConstantTime() {
        var queue = backlog(100, bytes: 2)
        // Nine in ten of 10,000 senders leave at once.
        for sender in 0..<10_000 {
            let source = SessionID(100 + sender)
            #expect(queue.enqueue(-sender, source: source, bytes: 3, at: 100, countLimit: 20_000, byteLimit: 100_000) == nil)
            if sender % 10 != 0 { #expect(queue.take(from: source).map(\.item) == [-sender]) }
        }
        #expect(queue.examined <= 3 * 9_000)
        #expect(queue.count == 1_100)
        #expect(queue.bytes == 100 * 2 + 1_000 * 3)
        #expect(queue.holds(from: 100) && !queue.holds(from: 101))
        #expect(queue.take(from: 1).map(\.item) == Array(0..<100))
        #expect(queue.takeAll().map(\.item) == stride(from: 0, to: 10_000, by: 10).map { -$0 })
        #expect(queue.bytes == 0)
    }

    /// The queue against a plain array, over a long deterministic mix of every operation: the
    /// index that makes a sender's removal cheap never changes what is held or in which order.
    /// Senders take turns (docs/pooling.md "Queue"): one with a long backlog no longer keeps
    /// another's commands behind it until they time out (a hostile second reader).
    @Test func sendersTakeTurnsEachInItsOwnOrder() {
        var queue = PoolQueue<String>()
        for index in 1...100 {
            _ = queue.enqueue("a\(index)", source: 1, bytes: 1, at: 0, countLimit: 1000, byteLimit: 1000)
        }
        for index in 1...3 { _ = queue.enqueue("b\(index)", source: 2, bytes: 1, at: 1, countLimit: 1000, byteLimit: 1000) }
        var order: [String] = []
        for _ in 0..<4 { if let entry = queue.takeNext() { order.append(entry.item) } }
        #expect(order == ["a1", "b1", "a2", "b2"])
        // A put-back entry keeps its turn: it is next again, and the turns go on after it.
        let taken = queue.takeNext()
        #expect(taken?.item == "a3")
        if let taken { queue.putBack(taken) }
        for _ in 0..<4 { if let entry = queue.takeNext() { order.append(entry.item) } }
        #expect(order.suffix(4) == ["a3", "b3", "a4", "a5"])
        // A sender that leaves loses its turns; one that comes back gets one.
        _ = queue.take(from: 1)
        _ = queue.enqueue("c1", source: 3, bytes: 1, at: 2, countLimit: 1000, byteLimit: 1000)
        _ = queue.enqueue("a101", source: 1, bytes: 1, at: 2, countLimit: 1000, byteLimit: 1000)
        var rest: [String] = []
        while let entry = queue.takeNext() { rest.append(entry.item) }
        #expect(rest.sorted() == ["a101", "c1"])
        #expect(queue.isEmpty && queue.bytes == 0 && queue.count == 0)
    }

    @Test func everyOperationAgreesWithAPlainList() {
        var queue = PoolQueue<Int>()
        var model: [(item: Int, source: SessionID, since: UInt64)] = []
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((random >> 33) % UInt64(bound))
        }
        var clock: UInt64 = 0
        for step in 0..<20_000 {
            clock += 1
            switch next(11) {
            case 0...4:
                let source = SessionID(next(40))
                #expect(queue.enqueue(step, source: source, bytes: 1, at: clock, countLimit: 100_000, byteLimit: 100_000) == nil)
                model.append((step, source, clock))
            case 5:
                let taken = queue.takeOldest()
                #expect(taken?.item == model.first?.item)
                if let taken, next(2) == 0 { queue.putBack(taken) } else if !model.isEmpty { model.removeFirst() }
            case 6...7:
                let source = SessionID(next(40))
                #expect(queue.holds(from: source) == model.contains { $0.source == source })
                #expect(queue.take(from: source).map(\.item) == model.filter { $0.source == source }.map(\.item))
                model.removeAll { $0.source == source }
            case 9:
                // In turns, then put back half the time: it keeps its place and its age, so the
                // expired ones stay a prefix of the model (before, a put-back entry went to the
                // front and hid older ones from expiry).
                guard let taken = queue.takeNext() else {
                    #expect(model.isEmpty)
                    break
                }
                #expect(model.contains { $0.item == taken.item })
                if next(2) == 0 { queue.putBack(taken) } else { model.removeAll { $0.item == taken.item } }
            case 8:
                let expired = queue.takeExpired(now: clock, timeout: 400)
                let count = model.prefix { clock &- $0.since >= 400 }.count
                #expect(expired.map(\.item) == model.prefix(count).map(\.item))
                model.removeFirst(count)
            default:
                #expect(queue.count == model.count)
                #expect(queue.bytes == model.count)
                #expect(queue.oldestSince == model.first?.since)
            }
        }
        #expect(queue.takeAll().map(\.item) == model.map(\.item))
        #expect(queue.isEmpty && queue.bytes == 0)
    }
}
