/// A binary min-heap of (distance, node) for Dijkstra; equal distances pop in name order, so
/// runs are deterministic.
struct DistanceQueue {
    private var heap: [(distance: UInt64, node: String)] = []

    /// Adds `node` at `distance` (duplicates allowed; the caller skips settled nodes).
    mutating func push(_ node: String, distance: UInt64) {
        heap.append((distance, node))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the nearest node, or nil when empty.
    mutating func pop() -> (node: String, distance: UInt64)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown()
        }
        return (top.node, top.distance)
    }

    private mutating func siftDown() {
        var parent = 0
        while true {
            var smallest = parent
            for child in [2 * parent + 1, 2 * parent + 2]
            where child < heap.count && Self.less(heap[child], heap[smallest]) {
                smallest = child
            }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func less(_ lhs: (distance: UInt64, node: String), _ rhs: (distance: UInt64, node: String)) -> Bool {
        lhs.distance != rhs.distance ? lhs.distance < rhs.distance : Topology.precedes(lhs.node, rhs.node)
    }
}
