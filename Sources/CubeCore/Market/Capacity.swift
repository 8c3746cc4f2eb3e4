/// Parses capacities: a plain count, or a size with a unit (`10GiB`, `512MiB`, `2G`, `100k`).
package enum Capacity {
    private static let units: [(String, UInt64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("k", 1000), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
    ]

    /// The value of `text`, or nil if it is not a non-negative number with an optional unit.
    package static func parse(_ text: String) -> UInt64? {
        let digits = text.prefix { $0.isNumber }
        guard !digits.isEmpty, let value = UInt64(digits) else { return nil }
        let unit = text.dropFirst(digits.count)
        if unit.isEmpty { return value }
        guard let factor = units.first(where: { $0.0 == unit })?.1 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}
