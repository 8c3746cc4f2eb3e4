/// Where the market's changes go to last (the SQLite store in `CubeStore`). `save` runs
/// under the hub's lock before the input's replies are sent, so a client never hears of a
/// lease the store does not hold.
package protocol MarketPersistence: Sendable {
    /// Writes `changes` as one transaction.
    func save(_ changes: [MarketRecordChange])
}
