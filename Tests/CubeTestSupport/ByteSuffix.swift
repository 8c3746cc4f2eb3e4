extension Array where Element == UInt8 {
    /// True when the bytes end with `suffix`.
    public func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
