/// A failure reported by libsodium.
///
/// libsodium functions signal failure with a non-zero return code and no further detail,
/// so the error records which function failed and what it returned.
public struct AuthError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure happened.
    public enum Kind: Equatable, Sendable {
        /// A libsodium call returned a failure code.
        case sodiumFailure
        /// An argument was outside the range libsodium accepts.
        case invalidArgument
    }

    /// What kind of failure happened.
    public let kind: Kind
    /// The libsodium function (or check) that failed.
    public let function: String
    /// The value the function returned (0 when not applicable).
    public let code: Int32

    /// Creates an error for a failed libsodium call.
    /// - Parameters:
    ///   - kind: what kind of failure happened.
    ///   - function: the name of the failing libsodium function.
    ///   - code: the value it returned.
    public init(_ kind: Kind = .sodiumFailure, function: String, code: Int32 = 0) {
        self.kind = kind
        self.function = function
        self.code = code
    }

    /// A one-line human-readable description.
    public var description: String {
        switch kind {
        case .sodiumFailure: "libsodium \(function) failed (returned \(code))"
        case .invalidArgument: "invalid argument to \(function)"
        }
    }
}
