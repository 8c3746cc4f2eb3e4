/// Why the store failed; ``message`` is SQLite's or ours.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
