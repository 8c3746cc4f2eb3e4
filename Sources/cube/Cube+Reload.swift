import ArgumentParser
import CubeClient
import CubeCore
import CubeRuntime

extension Cube {
    /// Asks a running cube to re-read its configuration (as SIGHUP does) and prints what
    /// changed, or why the configuration was refused.
    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a running cube re-read its configuration and apply what can change live.",
            discussion: "Connects to the cube's socket, logs in with method unix and sends the local command "
                + "'reload' (which the access rules must allow). Prints one line per change, or the reason "
                + "the configuration was refused (file:line; the running one is kept) and exits 1. "
                + "Same as `kill -HUP <cube>`, with the result. See docs/configuration.md \"Reload\".")

        @Option(name: .long, help: "The cube's socket (default: $PROTOCOL_7_UNIX_PATH, else /run/protocol-7/cube.sock).")
        var socket: String?

        @Option(name: .long, help: "The name to log in as with method unix (default: unix-<your user name>).")
        var user: String?

        @Option(name: .long, help: "Seconds to wait for the answer.")
        var timeout: Int = 60

        func validate() throws {
            // 0 or less failed at once with "timed out" (a hostile operator's finding).
            guard (1...86_400).contains(timeout) else { throw ValidationError("--timeout needs seconds, 1 to 86400") }
        }

        func run() throws {
            let path = SocketPath.resolve(explicit: socket)
            let received: Received
            do {
                let connection = try P7Connection(unixPath: path, timeout: .seconds(timeout))
                defer { connection.close() }
                try connection.loginUnix(user: user ?? "unix-" + UnixUser.current)
                try connection.sendCommand(id: 1, path: "reload", args: nil)
                received = try Self.answer(on: connection)
            } catch {
                throw CommandFailure("\(path): \(error)")
            }
            switch received.reply?.keyword {
            case .size:
                print(String(decoding: received.reply?.body ?? [], as: UTF8.self), terminator: "")
            case .trueReply:
                print(received.textString)
            default:
                throw CommandFailure(received.textString)
            }
        }

        /// The answer to our command (id 1), or what ends the session: other lines (notices,
        /// a stray reply) are not it, and were printed as if they were.
        private static func answer(on connection: P7Connection) throws(ClientError) -> Received {
            for _ in 0..<10_000 {
                let received = try connection.readReceived()
                if case .terminate = received { return received }
                if received.id == 1 { return received }
            }
            throw .protocolError("no answer to reload among 10000 lines")
        }
    }
}
