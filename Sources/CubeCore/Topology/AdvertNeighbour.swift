/// One link as its origin advertises it: the neighbour's node name and the link's cost.
package struct AdvertNeighbour: Equatable, Hashable, Sendable {
    /// Costs a link may carry; zero is excluded so that every hop strictly lengthens a path.
    package static let costRange: ClosedRange<UInt32> = 1...1_000_000

    /// The neighbour's node name.
    package let name: String
    /// The cost of the link as its origin sees it (routing uses the larger of both ends' costs).
    package let cost: UInt32

    /// Creates an advertised link.
    /// - Parameters:
    ///   - name: the neighbour's node name.
    ///   - cost: the link's cost, 1 by default.
    package init(_ name: String, cost: UInt32 = 1) {
        self.name = name
        self.cost = cost
    }

    /// True if the name is a valid node name and the cost lies in ``costRange``.
    package var isWellFormed: Bool { Names.isUserName(name.utf8) && Self.costRange.contains(cost) }
}
