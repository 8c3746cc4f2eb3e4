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
}
