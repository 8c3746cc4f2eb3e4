/// Why the store failed; ``message`` is SQLite's or ours.
package struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    package let message: String
    init(_ message: String) { self.message = message }
    package var description: String { message }
}
