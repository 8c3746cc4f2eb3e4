import CubeClient
import CubeCore
import CubeTestSupport
import Foundation

/// A logged-in `unix-<user>` session whose blocking reads run on their own thread, never on
/// the Swift concurrency pool (where the in-process zenki run their handlers).
final class TestClient: @unchecked Sendable {
    private let connection: P7Connection
    private let lock = NSLock()
    private var nextID: UInt64 = 100

    init(cube: CubeProcess) throws {
        connection = try P7Connection(unixPath: cube.socketPath, timeout: .seconds(5))
        try connection.loginUnix(user: "unix-" + UnixUserName.current)
    }

    /// Sends `(<id>)<line>` and returns every reply up to and including the final one.
    func ask(_ line: String) async throws -> [Reply] {
        try await offPool { [self] in
            lock.lock()
            defer { lock.unlock() }
            nextID += 1
            let id = nextID
            try connection.sendRaw(Array("(\(id))\(line)\n".utf8))
            var replies: [Reply] = []
            while true {
                guard case .reply(let reply) = try connection.readReceived(), reply.id == id else { continue }
                replies.append(reply)
                if reply.keyword.closesRoute { return replies }
            }
        }
    }

    /// The final reply to `line`, as `KEYWORD text` (or `SIZE <body>`).
    func final(_ line: String) async throws -> String {
        let replies = try await ask(line)
        return replies.last.map(Self.render) ?? ""
    }

    static func render(_ reply: Reply) -> String {
        switch reply.keyword {
        case .size: "SIZE " + String(decoding: reply.body ?? [], as: UTF8.self)
        case .stream: "STRM " + String(decoding: reply.body ?? [], as: UTF8.self)
        default: reply.keyword.rawValue + " " + reply.textString
        }
    }

    func close() { connection.close() }
}

/// Runs blocking `work` on a fresh thread and awaits its result.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(seconds: Double = 5, _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
