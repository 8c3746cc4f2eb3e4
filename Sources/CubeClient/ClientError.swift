#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CubeAuth

/// Why a ``P7Connection`` operation failed.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `socket`/`connect` failed with `errno`; `path` is the unix socket path, or
    /// `tcp:HOST:PORT` for a TCP address (the last address tried decides the `errno`).
    case connectFailed(path: String, errno: Int32)
    /// The TCP host name did not resolve; `detail` is the resolver's message.
    case addressNotFound(host: String, detail: String)
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
    /// `c25519`: the server presented `got`, but the known-nodes file pins `expected`.
    /// Nothing was authenticated; the connection is closed.
    case serverKeyChanged(expected: PublicKey, got: PublicKey)
    /// `c25519`: the handshake failed on our side (bad server signature, malformed or
    /// out-of-order line, unusable ephemeral key); carries the reason.
    case handshakeFailed(String)
    /// An encrypted frame from the server failed to authenticate (tampering, truncation or a
    /// wrong key); the connection is closed and nothing of the frame is returned.
    case decryptionFailed(String)

    /// A one-line message for humans (used verbatim by `p7` on stderr); what the server sent
    /// is quoted without its control characters (``TerminalText``).
    public var description: String { TerminalText.visible(rawDescription) }

    private var rawDescription: String {
        switch self {
        case .connectFailed(let path, let code): "cannot connect to \(path): \(Self.message(for: code))"
        case .addressNotFound(let host, let detail): "cannot resolve \(host): \(detail)"
        case .badBanner(let bytes): "not a Protocol-7 server (bad banner \(Self.quoted(bytes)))"
        case .loginFailed(let line): "login failed: \(line)"
        case .closedByPeer: "connection closed by the server"
        case .timeout: "timed out waiting for the server"
        case .protocolError(let detail): "protocol error: \(detail)"
        case .ioFailed(let operation, let code): "\(operation) failed: \(Self.message(for: code))"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        case .serverKeyChanged(let expected, let got):
            "server key changed: expected \(expected), got \(got); refusing to connect"
        case .handshakeFailed(let detail): "c25519 handshake failed: \(detail)"
        case .decryptionFailed(let detail): "encrypted stream failed: \(detail)"
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
