import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One zenka of a test configuration: `zenki/<name>/zenka.conf` plus files that travel with it
/// (scripts), as `cube run --config DIR` reads them.
struct ManagerZenka {
    var name: String
    var conf: String
    var files: [String: String] = [:]
}

/// A real `cube run --config DIR` whose configuration directory holds `cube.conf` and
/// `zenki/<name>/zenka.conf` (+ scripts). The socket lives in a fresh temporary directory, so
/// the manager runs zenki in `<that directory>/zenki/<name>/`. The cube's log (level info,
/// which carries the manager's start/exit/restart lines and the children's output) goes to a
/// file, so it can be read at any time and never blocks the cube.
final class ManagerCube: @unchecked Sendable {
    let directory: String
    let configDirectory: String
    let socketPath: String
    let logPath: String
    let process = Process()

    static let baseConfiguration = """
        node.name = testcube
        auth.setup.usr.taeki = :unix:root
        access.cmd.usr.* = **
        timeouts.route = 20
        """

    /// - Parameters:
    ///   - baseConfiguration: `cube.conf` before `extraConfiguration` (by default
    ///     ``baseConfiguration``, which lets everyone run everything).
    ///   - logLevel: the `--log-level` option; nil leaves the level to `log.level`.
    ///   - openFiles: the cube's soft and hard open-file limits (through `sh`'s `ulimit`); nil:
    ///     this process's.
    init(zenki: [ManagerZenka], extraConfiguration: String = "", baseConfiguration: String = ManagerCube.baseConfiguration,
         logLevel: String? = "info", openFiles: (soft: Int, hard: Int)? = nil) throws {
        directory = NSTemporaryDirectory() + "cube-mgr-\(UUID().uuidString.prefix(8))"
        configDirectory = directory + "/conf"
        socketPath = directory + "/cube.sock"
        logPath = directory + "/cube.log"
        let files = FileManager.default
        try files.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try (baseConfiguration + "\n" + extraConfiguration + "\n")
            .write(toFile: configDirectory + "/cube.conf", atomically: true, encoding: .utf8)
        for zenka in zenki { try Self.write(zenka, into: configDirectory) }
        _ = files.createFile(atPath: logPath, contents: nil)
        _ = files.createFile(atPath: directory + "/cube.out", contents: nil)
        let run = ["run", "--config", configDirectory, "--socket", socketPath] + (logLevel.map { ["--log-level", $0] } ?? [])
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -Sn \(openFiles.soft) && ulimit -Hn \(openFiles.hard) && exec \"$0\" \"$@\"",
                                 Binaries.cube] + run
        } else {
            process.executableURL = URL(fileURLWithPath: Binaries.cube)
            process.arguments = run
        }
        process.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: directory + "/cube.out")
        let errors = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        ChildOutput.closeParentCopies(output, errors)
        switch CubeServing.wait(socketPath: socketPath, process: process) {
        case .serving: break
        case .exited: throw LiveTestError.cubeExited(log)
        case .timedOut: throw LiveTestError.timeout("cube did not serve on \(socketPath): \(log)")
        }
        if !zenki.isEmpty { try waitForManager() }
    }

    /// Writes `zenki/<name>/` (its `zenka.conf` and files) into a configuration directory.
    static func write(_ zenka: ManagerZenka, into configDirectory: String) throws {
        let folder = configDirectory + "/zenki/" + zenka.name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try zenka.conf.write(toFile: folder + "/zenka.conf", atomically: true, encoding: .utf8)
        for (name, text) in zenka.files {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            chmod(folder + "/" + name, 0o755)
        }
    }

    /// The manager logs in and registers the on-demand zenki only once the socket serves (and
    /// only when zenki are configured); a command sent before that finds no on-demand zenka. It
    /// answers `v7.heart` on the same queue, after that set-up.
    private func waitForManager() throws {
        let probe = try client()
        defer { probe.close() }
        guard eventually(timeout: 10, { probe.call("v7.heart", timeout: 1)?.isTrue == true }) else {
            throw LiveTestError.timeout("the manager did not answer v7.heart: \(log)")
        }
    }

    /// The working directory the manager gives zenka `name`.
    func zenkaDirectory(_ name: String) -> String { directory + "/zenki/" + name }

    /// The cube's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Log lines containing every one of `needles`.
    func logLines(containing needles: String...) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in needles.allSatisfy { line.contains($0) } }
    }

    /// A logged-in admin client (method unix as unix-root).
    func client(_ user: String = "unix-root") throws -> ManagerClient {
        let client = try ManagerClient(path: socketPath)
        guard client.socket.loginUnix(user) else { throw LiveTestError.timeout("login as \(user)") }
        return client
    }

    /// Sends `signal` and waits for the cube to end (at most `seconds`); SIGKILL after that.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, seconds: Double = 8) -> Int32 {
        process.stop(signal: signal, seconds: seconds)
    }

    /// Every live process (not a zombie) whose environment names this cube's socket: the
    /// zenki and whatever they started.
    func zenkaProcesses() -> [Int32] {
        let marker = Array("PROTOCOL_7_UNIX_PATH=\(socketPath)\0".utf8)
        return ManagerProcesses.all().filter { pid in
            guard pid != getpid(), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return ManagerProcesses.isAlive(pid) && Array(environ).contains(subsequence: marker)
        }
    }

    deinit {
        stop(seconds: 5)
        // Never leave children behind, whatever the cube did.
        for pid in zenkaProcesses() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A client that understands replies: ids, `SIZE` bodies, and notices without an id.
final class ManagerClient: @unchecked Sendable {
    struct Message: CustomStringConvertible {
        var id: UInt64?
        var keyword: String
        var text: String
        /// The body of a `SIZE` reply.
        var body: String = ""

        var line: String { "\(keyword) \(text)" }
        var description: String { "(\(id.map(String.init) ?? "-"))\(keyword) \(text)\(body.isEmpty ? "" : " <\(body)>")" }
        var isTrue: Bool { keyword == "TRUE" }
        /// Rows of a table body (after the header and the dashes), split on runs of spaces.
        var rows: [[String]] {
            body.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
        }
    }

    let socket: RawSocket
    private var buffer: [UInt8] = []
    /// Messages read while waiting for another id (notices such as `lease-end`, other replies).
    private(set) var others: [Message] = []
    private var nextID: UInt64 = 100

    init(path: String) throws { socket = try RawSocket(path: path) }

    func send(_ text: String) { socket.send(text) }

    /// Sends `command` with a fresh id and returns its reply (nil on timeout).
    func call(_ command: String, timeout: Double = 5) -> Message? {
        nextID += 1
        let id = nextID
        send("(\(id))\(command)\n")
        return reply(id: id, timeout: timeout)
    }

    /// The next message with `id`, keeping the others in ``others``.
    func reply(id: UInt64, timeout: Double = 5) -> Message? {
        if let index = others.firstIndex(where: { $0.id == id }) { return others.remove(at: index) }
        let deadline = Date().addingTimeInterval(timeout)
        while let message = next(timeout: deadline.timeIntervalSinceNow) {
            if message.id == id { return message }
            others.append(message)
        }
        return nil
    }

    /// Waits for a message without an id whose line starts with `prefix`.
    func notice(_ prefix: String, timeout: Double = 5) -> Message? {
        func matches(_ message: Message) -> Bool { message.id == nil && message.line.hasPrefix(prefix) }
        if let index = others.firstIndex(where: matches) { return others.remove(at: index) }
        let deadline = Date().addingTimeInterval(timeout)
        while let message = next(timeout: deadline.timeIntervalSinceNow) {
            if matches(message) { return message }
            others.append(message)
        }
        return nil
    }

    /// Reads one whole message (a line, or a `SIZE` line with its body).
    func next(timeout: Double) -> Message? {
        let deadline = Date().addingTimeInterval(max(0, timeout))
        guard let line = readLine(deadline: deadline) else { return nil }
        var rest = Substring(line)
        var id: UInt64?
        if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            id = UInt64(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        let keyword = String(rest.prefix { $0 != " " })
        let text = rest.count > keyword.count ? String(rest.dropFirst(keyword.count + 1)) : ""
        var message = Message(id: id, keyword: keyword, text: text)
        if keyword == "SIZE", let count = Int(text) {
            while buffer.count < count, deadline.timeIntervalSinceNow > 0 {
                let chunk = socket.readAvailable(timeout: deadline.timeIntervalSinceNow)
                if chunk.isEmpty { break }
                buffer += chunk
            }
            let body = buffer.prefix(count)
            buffer.removeFirst(body.count)
            message.body = String(decoding: body, as: UTF8.self)
        }
        return message
    }

    private func readLine(deadline: Date) -> String? {
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeFirst(lf + 1)
                return line
            }
            guard deadline.timeIntervalSinceNow > 0 else { return nil }
            let chunk = socket.readAvailable(timeout: deadline.timeIntervalSinceNow)
            if chunk.isEmpty { return nil }
            buffer += chunk
        }
    }

    func close() { socket.close() }
}

/// `v7.status` rows: instance zenka state pid session restarts up.
struct ManagerInstanceRow: Equatable {
    var instance: String
    var zenka: String
    var state: String
    var pid: Int32
    var session: String
    var restarts: Int

    init?(_ row: [String]) {
        guard row.count >= 7, let pid = Int32(row[3]), let restarts = Int(row[5]) else { return nil }
        instance = row[0]
        zenka = row[1]
        state = row[2]
        self.pid = pid
        session = row[4]
        self.restarts = restarts
    }
}

/// `v7.list` rows: zenka mode start running state restarts last-exit.
struct ManagerListRow: Equatable {
    var zenka: String
    var mode: String
    var start: String
    var running: Int
    var state: String
    var restarts: Int
    var lastExit: String

    init?(_ row: [String]) {
        // The state may be two words ("restart pending") and the last exit too ("exit 1").
        guard row.count >= 7, let running = Int(row[3]) else { return nil }
        zenka = row[0]
        mode = row[1]
        start = row[2]
        self.running = running
        var rest = Array(row[4...])
        var state = rest.removeFirst()
        if state == "restart", rest.first == "pending" { state += " " + rest.removeFirst() }
        self.state = state
        restarts = rest.isEmpty ? -1 : Int(rest.removeFirst()) ?? -1
        lastExit = rest.joined(separator: " ")
    }
}

extension ManagerClient {
    /// `v7.status [filter]` as rows.
    func status(_ filter: String = "") -> [ManagerInstanceRow] {
        guard let reply = call("v7.status" + (filter.isEmpty ? "" : " " + filter)), reply.keyword == "SIZE" else { return [] }
        return reply.rows.compactMap(ManagerInstanceRow.init)
    }

    /// `v7.list` as rows.
    func list() -> [ManagerListRow] {
        guard let reply = call("v7.list"), reply.keyword == "SIZE" else { return [] }
        return reply.rows.compactMap(ManagerListRow.init)
    }

    /// The one instance of `zenka` in the given state, if exactly one.
    func instance(of zenka: String, state: String = "online") -> ManagerInstanceRow? {
        let rows = status().filter { $0.zenka == zenka && $0.state == state }
        return rows.count == 1 ? rows[0] : nil
    }

    /// Waits until `zenka` has exactly one online instance whose pid is not `excluding`.
    func waitOnline(_ zenka: String, excluding: Int32? = nil, timeout: Double = 8) -> ManagerInstanceRow? {
        var found: ManagerInstanceRow?
        _ = eventually(timeout: timeout) {
            found = instance(of: zenka)
            if let row = found, row.pid == excluding { found = nil }
            return found != nil
        }
        return found
    }
}

/// Polls `condition` every `interval` seconds until it holds or `timeout` passes.
@discardableResult
func eventually(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if condition() { return true }
        if Date() >= deadline { return false }
        usleep(useconds_t(interval * 1_000_000))
    }
}

/// Looks at processes through `/proc` (a zombie counts as gone).
enum ManagerProcesses {
    static func all() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// (state, process group) from `/proc/<pid>/stat`.
    static func stat(_ pid: Int32) -> (state: Character, group: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let state = fields[0].first, let group = Int32(fields[2]) else { return nil }
        return (state, group)
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = stat(pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    /// Live members of process group `group`.
    static func group(_ group: Int32) -> [Int32] {
        all().filter { pid in stat(pid).map { $0.group == group && $0.state != "Z" && $0.state != "X" } ?? false }
    }

    /// Reads a pid a script wrote into `path`.
    static func pid(in path: String, timeout: Double = 5) -> Int32? {
        var pid: Int32?
        _ = eventually(timeout: timeout) {
            pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, count >= subsequence.count else { return false }
        for start in 0...(count - subsequence.count) where self[start] == subsequence[0] {
            if Array(self[start..<(start + subsequence.count)]) == subsequence { return true }
        }
        return false
    }
}
