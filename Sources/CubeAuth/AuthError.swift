/// A failure in `CubeAuth`: a libsodium call, a key or list file, or an encrypted stream.
///
/// libsodium functions signal failure with a non-zero return code and no further detail,
/// so the error records which function failed and what it returned. File and parse errors
/// add a human-readable ``detail`` naming the path, line or mode involved.
public struct AuthError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure happened.
    public enum Kind: Equatable, Sendable {
        /// A libsodium call returned a failure code.
        case sodiumFailure
        /// An argument was outside the range libsodium accepts.
        case invalidArgument
        /// A system call on a file failed; ``AuthError/code`` is the `errno`.
        case fileSystem
        /// A file that must be created fresh already exists.
        case fileExists
        /// A secret key file is accessible to group or others; ``AuthError/code`` is its mode.
        case insecurePermissions
        /// A key file, key list or certificate is not of the expected shape.
        case malformed
        /// An encrypted frame failed to authenticate (tampered, truncated or wrong key).
        case decryptionFailed
        /// An encrypted frame announced a length above the limit.
        case frameTooLarge
        /// An encrypted stream carried a FINAL tag; this protocol never ends a stream that way.
        case unexpectedFinalTag
        /// The stream failed earlier and accepts no more input.
        case streamFailed
    }

    /// What kind of failure happened.
    public let kind: Kind
    /// The libsodium function, system call or check that failed.
    public let function: String
    /// The value the function returned, the `errno`, or the file mode (0 when not applicable).
    public let code: Int32
    /// Further detail for people: the path (and system message), the line and problem, the frame length.
    public let detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: what kind of failure happened.
    ///   - function: the name of the failing libsodium function, system call or check.
    ///   - code: the value it returned, the `errno` or the file mode.
    ///   - detail: human-readable detail (path, line, length); empty if none.
    public init(_ kind: Kind = .sodiumFailure, function: String, code: Int32 = 0, detail: String = "") {
        self.kind = kind
        self.function = function
        self.code = code
        self.detail = detail
    }

    /// A one-line human-readable description.
    public var description: String {
        switch kind {
        case .sodiumFailure: "libsodium \(function) failed (returned \(code))"
        case .invalidArgument: "invalid argument to \(function)"
        case .fileSystem: "\(function) \(detail) (errno \(code))"
        case .fileExists: "\(detail) already exists; refusing to overwrite it"
        case .insecurePermissions:
            "\(detail) has mode 0\(String(code, radix: 8)); a secret key file must not be accessible to "
                + "group or others (chmod 600 \(detail))"
        case .malformed: "\(function): \(detail)"
        case .decryptionFailed: "encrypted frame failed to authenticate"
        case .frameTooLarge: "encrypted frame too large: \(detail)"
        case .unexpectedFinalTag: "encrypted stream ended with a FINAL tag"
        case .streamFailed: "encrypted stream already failed"
        }
    }
}
