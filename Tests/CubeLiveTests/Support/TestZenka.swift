import CubeTestSupport
import Foundation

/// A zenka on its own thread: logs in with a one-time key registered by an admin session and
/// answers `(<tid>)echo <text>` with `(<tid>)TRUE <text>` and `(<tid>)heart` with `TRUE beating`.
final class TestZenka: @unchecked Sendable {
    let socket: RawSocket
    let name: String
    private let thread: Thread

    init(name: String, cube: CubeProcess) throws {
        self.name = name
        socket = try Self.login(name: name, cube: cube)
        let socket = self.socket
        thread = Thread {
            Self.readLines(of: socket) { lines in
                let replies = lines.flatMap { Array(Self.answer($0).utf8) }
                if !replies.isEmpty { socket.send(replies) }
            }
        }
        thread.start()
    }

    /// A session logged in as the zenka `name` with a one-time key an admin registered.
    static func login(name: String, cube: CubeProcess) throws -> RawSocket {
        let key = try cube.registerKey(for: name)
        let socket = try RawSocket(path: cube.socketPath)
        _ = socket.read(count: 32)
        socket.send("select zenka\n\(name) \(key)\n")
        guard socket.read(until: "AUTH_TRUE =)\n").hasSuffix("AUTH_TRUE =)\n") else {
            throw LiveTestError.timeout("zenka login")
        }
        return socket
    }

    /// Reads `socket` until it closes and hands `body` the complete lines (without LF) of
    /// each chunk read, so a zenka can answer a pipelined batch with one write.
    static func readLines(of socket: RawSocket, _ body: ([String]) -> Void) {
        var pending: [UInt8] = []
        while true {
            let chunk = socket.readAvailable(timeout: 3600)
            if chunk.isEmpty { return }
            pending += chunk
            var lines: [String] = []
            while let lf = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[..<lf], as: UTF8.self))
                pending.removeFirst(lf + 1)
            }
            body(lines)
        }
    }

    private static func answer(_ line: String) -> String {
        guard line.hasPrefix("("), let close = line.firstIndex(of: ")") else { return "" }
        let id = line[line.index(after: line.startIndex)..<close]
        let command = line[line.index(after: close)...]
        if command.hasPrefix("echo ") { return "(\(id))TRUE \(command.dropFirst(5))\n" }
        if command.hasPrefix("heart") { return "(\(id))TRUE beating\n" }
        if command.hasPrefix("never") { return "" }
        return "(\(id))FALSE command does not exist\n"
    }

    func stop() { socket.close() }
}
