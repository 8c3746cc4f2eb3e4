/// A resource a zenka offers (`offer <kind> <capacity> [key=value…]`).
public struct Offer: Equatable, Sendable {
    public let id: UInt64
    public let kind: String
    /// Total capacity in the offer's unit (bytes for sizes given with a unit).
    public let capacity: UInt64
    public let attributes: [String]
    public let provider: SessionID
    public let providerUser: String
    public let created: Int64
    /// Capacity promised to leases that are active or being requested.
    public internal(set) var committed: UInt64 = 0

    /// Capacity that can still be acquired.
    public var available: UInt64 { capacity - min(capacity, committed) }

    /// What an offer costs its provider's memory share (docs/security.md "Resource limits").
    static func memoryCost(kind: String, attributes: [String]) -> Int {
        attributes.reduce(256 + kind.utf8.count) { $0 + $1.utf8.count + 16 }
    }
}

/// A share of an offer held by a consumer (`acquire <offer> <amount> [ttl]`).
public struct Lease: Equatable, Sendable {
    public enum State: String, Sendable {
        /// The provider has been asked and has not answered yet.
        case requested
        case active
    }

    public let id: UInt64
    public let offer: UInt64
    public let consumer: SessionID
    public let consumerUser: String
    public let amount: UInt64
    public internal(set) var ttl: UInt64
    /// Monotonic nanoseconds when the lease ends unless renewed.
    public internal(set) var expires: UInt64
    public internal(set) var state: State
}

/// Parses capacities: a plain count, or a size with a unit (`10GiB`, `512MiB`, `2G`, `100k`).
public enum Capacity {
    private static let units: [(String, UInt64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("k", 1000), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
    ]

    /// The value of `text`, or nil if it is not a non-negative number with an optional unit.
    public static func parse(_ text: String) -> UInt64? {
        let digits = text.prefix { $0.isNumber }
        guard !digits.isEmpty, let value = UInt64(digits) else { return nil }
        let unit = text.dropFirst(digits.count)
        if unit.isEmpty { return value }
        guard let factor = units.first(where: { $0.0 == unit })?.1 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}
