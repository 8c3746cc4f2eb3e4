/// A binary min-heap of (distance, node number) for Dijkstra. Equal distances pop in number
/// order: any order gives the same distances, and this one is fixed for one graph.
struct DistanceQueue {
    private var heap: [(distance: UInt64, node: Int)] = []

    /// Adds `node` at `distance` (duplicates allowed; the caller skips settled nodes).
    mutating func push(_ node: Int, distance: UInt64) {
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
    mutating func pop() -> (node: Int, distance: UInt64)? {
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
            let left = 2 * parent + 1
            if left < heap.count && Self.less(heap[left], heap[smallest]) { smallest = left }
            if left + 1 < heap.count && Self.less(heap[left + 1], heap[smallest]) { smallest = left + 1 }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func less(_ lhs: (distance: UInt64, node: Int), _ rhs: (distance: UInt64, node: Int)) -> Bool {
        lhs.distance != rhs.distance ? lhs.distance < rhs.distance : lhs.node < rhs.node
    }
}
