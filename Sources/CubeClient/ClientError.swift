#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ``P7Connection`` operation failed.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `socket`/`connect` to the unix socket at `path` failed with `errno`.
    case connectFailed(path: String, errno: Int32)
    /// The server's first line was not a Protocol-7 banner; carries the bytes received.
    case badBanner([UInt8])
    /// A login step was answered with something other than the expected line; carries that line.
    case loginFailed(String)
    /// The server closed the connection (end of file) while a message was expected.
    case closedByPeer
    /// Nothing arrived from the server within the connection's timeout.
    case timeout
    /// The server sent something that is not valid Protocol-7 here.
    case protocolError(String)
    /// A socket call other than connect failed with `errno`.
    case ioFailed(operation: String, errno: Int32)
    /// An argument cannot be sent as asked (e.g. it contains a line feed).
    case invalidArgument(String)

    /// A one-line message for humans (used verbatim by `p7` on stderr).
    public var description: String {
        switch self {
        case .connectFailed(let path, let code): "cannot connect to \(path): \(Self.message(for: code))"
        case .badBanner(let bytes): "not a Protocol-7 server (bad banner \(Self.quoted(bytes)))"
        case .loginFailed(let line): "login failed: \(line)"
        case .closedByPeer: "connection closed by the server"
        case .timeout: "timed out waiting for the server"
        case .protocolError(let detail): "protocol error: \(detail)"
        case .ioFailed(let operation, let code): "\(operation) failed: \(Self.message(for: code))"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        }
    }

    private static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Escapes control bytes so a garbage banner cannot mess up a terminal.
    private static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes.prefix(64) {
            switch byte {
            case 0x0A: text += "\\n"
            case 0x20..<0x7F where byte != 0x22 && byte != 0x5C: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + (bytes.count > 64 ? "\"…" : "\"")
    }
}
