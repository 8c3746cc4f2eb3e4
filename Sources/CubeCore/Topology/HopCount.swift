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
        // Built in one array: this runs for every command a node forwards, and the
        // concatenation of four arrays and a String cost a transit node about 4 % of its CPU
        // (docs/performance.md "Across nodes"). `remaining` has at most two digits.
        var prefixed: [UInt8] = []
        prefixed.reserveCapacity(Self.marker.count + 3 + path.count)
        prefixed.append(contentsOf: Self.marker)
        if remaining >= 10 { prefixed.append(UInt8(ascii: "0") + UInt8(remaining / 10)) }
        prefixed.append(UInt8(ascii: "0") + UInt8(remaining % 10))
        prefixed.append(UInt8(ascii: "."))
        prefixed.append(contentsOf: path)
        return prefixed
    }

    /// Splits a hop element off a path received on a link.
    /// - Parameter path: the path as received (without command id).
    /// - Returns: the budget and the rest of the path; ``initial`` and the whole path if there
    ///   is no hop element; nil if there is one of the wrong shape (not canonical decimal,
    ///   above ``Topology/maximumHops``, or nothing after it).
    package static func split(_ path: [UInt8]) -> (hops: HopCount, path: ArraySlice<UInt8>)? {
        split(path[...])
    }

    /// ``split(_:)-([UInt8])`` of a path read in place (a slice of its line, not copied: every
    /// command a node receives on a link comes this way); the rest is a slice of the same storage.
    static func split(_ path: ArraySlice<UInt8>) -> (hops: HopCount, path: ArraySlice<UInt8>)? {
        guard path.starts(with: marker) else { return (initial, path) }
        let afterMarker = path.dropFirst(marker.count)
        guard let dot = afterMarker.firstIndex(of: UInt8(ascii: ".")), dot + 1 < path.endIndex,
              let value = canonicalDecimal(afterMarker[..<dot]), let hops = HopCount(remaining: value)
        else { return nil }
        return (hops, path[(dot + 1)...])
    }

    /// The value of `digits` written as a canonical decimal (no sign, no leading zero but in
    /// `0`), read in place; nil for anything else, and for a value past ``Topology/maximumHops``
    /// (saturated, so no length overflows).
    private static func canonicalDecimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard let first = digits.first, first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value = 0
        for digit in digits {
            guard Bytes.isDigit(digit) else { return nil }
            value = min(value * 10 + Int(digit - UInt8(ascii: "0")), Topology.maximumHops + 1)
        }
        return value
    }
}
