/// The `p7-log` zenka's lines: the newest ``capacity`` lines, oldest dropped first.
public struct LogBook: Sendable {
    /// The most lines kept.
    public let capacity: Int
    private var ring: [String] = []
    private var start = 0

    /// An empty log book.
    /// - Parameter capacity: the most lines kept (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        ring.reserveCapacity(min(self.capacity, 1024))
    }

    /// The number of lines held.
    public var count: Int { ring.count }

    /// Adds a line, dropping the oldest when full.
    /// - Parameter line: the line.
    public mutating func append(_ line: String) {
        if ring.count < capacity {
            ring.append(line)
        } else {
            ring[start] = line
            start = (start + 1) % capacity
        }
    }

    /// The newest `count` lines, oldest first.
    /// - Parameter count: how many (clamped to what is held).
    /// - Returns: the lines.
    public func tail(_ count: Int) -> [String] {
        let take = max(0, min(count, ring.count))
        return (ring.count - take..<ring.count).map { ring[(start + $0) % ring.count] }
    }
}
