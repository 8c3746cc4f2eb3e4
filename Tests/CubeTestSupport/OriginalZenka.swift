import Foundation
import Synchronization

/// A zenka that behaves as the original's Perl zenki do (../shared/reference: §2.8, §8.2 and
/// the `calc` trace): it logs in with `select zenka`, `<name> <key>`, asks `(<7 digits>)whoami`,
/// then answers the cube's commands. Bodies are counted in characters, `SIZE` as `%04d`.
///
/// Commands: `heart` → `TRUE beating`; `name` → `TRUE <name>`; `utf8` → ``utf8Body`` as SIZE;
/// `stream` → `STRM open 100`, then `TRUE end-of-stream`; anything else
/// `FALSE command does not exist`. Every line it receives that is not a command is kept in
/// ``received`` (so a test can check that nobody sent it `FALSE protocol mismatch`).
public final class OriginalZenka: @unchecked Sendable {
    /// `ä€x⏎⏎`: 5 characters, 8 bytes.
    public static let utf8Body = "ä€x\n\n"

    public let name: String
    private let socket: RawSocket
    private let lines = Mutex<[String]>([])

    /// Logs in to the cube at `path` with `key` (registered beforehand, as the manager does).
    /// - Throws: ``LiveTestError`` when the login fails.
    public init(name: String, key: String, path: String) throws {
        self.name = name
        socket = try RawSocket(path: path)
        guard String(decoding: socket.read(count: 32), as: UTF8.self) == OriginalWire.banner else {
            throw LiveTestError.timeout("no banner")
        }
        socket.send("select zenka\n")
        guard socket.readLine() == "TRUE continue\n" else { throw LiveTestError.timeout("select zenka") }
        socket.send("\(name) \(key)\n")
        guard socket.readLine() == "AUTH_TRUE =)\n" else { throw LiveTestError.timeout("zenka login") }
        let id = UInt64.random(in: 1_000_000...9_999_999)
        socket.send("(\(id))whoami\n")
        guard socket.readLine().hasPrefix("(\(id))TRUE \(name) ") else { throw LiveTestError.timeout("whoami") }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Logs in to one of our cubes: an admin session registers the key first.
    public convenience init(name: String, cube: CubeProcess) throws {
        try self.init(name: name, key: try cube.registerKey(for: name), path: cube.socketPath)
    }

    /// Lines received that were not commands (replies, errors), in order.
    public var received: [String] { lines.withLock { $0 } }

    public func stop() { socket.close() }

    private func serve() {
        var buffer: [UInt8] = []
        while true {
            let chunk = socket.readAvailable(timeout: 3600)
            if chunk.isEmpty { return }
            buffer += chunk
            while let lf = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeFirst(lf + 1)
                answer(line)
            }
        }
    }

    private func answer(_ line: String) {
        guard line.hasPrefix("("), let close = line.firstIndex(of: ")"),
              OriginalWire.isValidID(line[line.index(after: line.startIndex)..<close]),
              let first = line[line.index(after: close)...].first, first.isLowercase
        else {
            lines.withLock { $0.append(line) }
            return
        }
        let id = String(line[line.index(after: line.startIndex)..<close])
        let command = line[line.index(after: close)...].split(separator: " ").first.map(String.init) ?? ""
        switch command {
        case "heart": socket.send("(\(id))TRUE beating\n")
        case "name": socket.send("(\(id))TRUE \(name)\n")
        case "utf8": socket.send(OriginalWire.size(id: UInt64(id) ?? 0, Self.utf8Body))
        case "stream":
            socket.send("(\(id))STRM open 100\n")
            usleep(50_000)
            socket.send("(\(id))TRUE end-of-stream\n")
        default: socket.send("(\(id))FALSE command does not exist\n")
        }
    }
}
