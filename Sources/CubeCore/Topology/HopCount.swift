/// The hop budget a forwarded path carries between nodes, so a transient routing loop (or a
/// bug) cannot circle forever (see ``Topology``).
///
/// Convention, for link sessions only (never towards a user or zenka session): a node that
/// forwards a path to another node prepends the element `_h<remaining>`, e.g.
/// `(17)_h31.n5.calc.add 2 3⏎`. `_` cannot start a node, user or zenka name, so the element
/// is never mistaken for a target. A node receiving a path on a link strips the element
/// with ``split(_:)`` before resolving the rest; when it forwards again it sends
/// ``decremented()``, and when that is nil it answers `FALSE hop limit exceeded` instead.
/// A path from a local session starts at ``initial``. Local delivery drops the element.
package struct HopCount: Equatable, Sendable {
    /// The prefix of the hop element.
    package static let marker: [UInt8] = Array("_h".utf8)
    /// The budget of a path that enters the network: ``Topology/maximumHops``.
    package static let initial = HopCount(unchecked: Topology.maximumHops)

    /// Hops still allowed, 0...``Topology/maximumHops``.
    package let remaining: Int

    private init(unchecked remaining: Int) { self.remaining = remaining }

    /// A budget of `remaining` hops, or nil outside 0...``Topology/maximumHops``.
    /// - Parameter remaining: hops still allowed.
    package init?(remaining: Int) {
        guard (0...Topology.maximumHops).contains(remaining) else { return nil }
        self.remaining = remaining
    }

    /// The budget after one more hop, or nil if none is left (refuse to forward).
    package func decremented() -> HopCount? {
        remaining > 0 ? HopCount(unchecked: remaining - 1) : nil
    }

    /// `_h<remaining>.` followed by `path`: what to send to the next node.
    /// - Parameter path: the path (without command id), unchanged.
    /// - Returns: the prefixed path.
    package func prefixing(_ path: some Collection<UInt8>) -> [UInt8] {
        Self.marker + Array(String(remaining).utf8) + [UInt8(ascii: ".")] + Array(path)
    }

    /// Splits a hop element off a path received on a link.
    /// - Parameter path: the path as received (without command id).
    /// - Returns: the budget and the rest of the path; ``initial`` and the whole path if there
    ///   is no hop element; nil if there is one of the wrong shape (not canonical decimal,
    ///   above ``Topology/maximumHops``, or nothing after it).
    package static func split(_ path: [UInt8]) -> (hops: HopCount, path: ArraySlice<UInt8>)? {
        guard path.starts(with: marker) else { return (initial, path[...]) }
        let afterMarker = path.dropFirst(marker.count)
        guard let dot = afterMarker.firstIndex(of: UInt8(ascii: ".")), dot + 1 < path.endIndex,
              let value = AdvertTextReader.decimal(String(decoding: afterMarker[..<dot], as: UTF8.self)),
              let hops = HopCount(remaining: Int(clamping: value))
        else { return nil }
        return (hops, path[(dot + 1)...])
    }
}
