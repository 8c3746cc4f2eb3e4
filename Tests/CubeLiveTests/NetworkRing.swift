import CubeAuth
import CubeClient
import CubeCore
import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A network of real `cube run` processes linked over TCP on 127.0.0.1 (docs/protocol.md §8.3), for
/// the network live tests: fresh identity keys and one trusted-nodes file in a temporary
/// directory, one listening port per node, and `--peer` for every link (the first node of a
/// link dials the second, so each link has exactly one dialler).
///
/// Every process is killed and every directory removed by ``shutdown()`` (idempotent) and by
/// `deinit`; call it in a `defer`.
final class RingNetwork: @unchecked Sendable {
    /// An undirected link between two nodes, normalized so `a` sorts before `b`.
    struct Edge: Hashable, CustomStringConvertible {
        let a: String
        let b: String
        init(_ x: String, _ y: String) { (a, b) = x < y ? (x, y) : (y, x) }
        var description: String { "\(a)-\(b)" }
    }

    /// The five-node ring n1-n2-n3-n4-n5-n1 with the chord n1-n3 (dialler first).
    static let ringWithChord: [(String, String)] = [("n1", "n2"), ("n2", "n3"), ("n3", "n4"), ("n4", "n5"),
                                                    ("n5", "n1"), ("n1", "n3")]

    /// Fast failure detection and redialling: 3 s of silence kills a link (keep-alive every
    /// second), and a lost peer is redialled at least every second.
    static let fastConfiguration = """
        network.link-timeout = 3
        network.reconnect-max = 1
        """

    /// A node name listed in the trusted-nodes file whose key only the test holds: the tests
    /// log in with it as a node (a link) to send forged adverts.
    static let rogueName = "rogue"

    let directory: URL
    let names: [String]
    let ports: [String: Int]
    let publicKeys: [String: String]
    let dials: [String: [String]]
    let rogue: IdentityKey
    private let keyPaths: [String: String]
    private let nodesFile: String
    /// Appended to every node's configuration; may be extended before the nodes start.
    var extraConfiguration: String
    private var cubes: [String: CubeProcess] = [:]
    private var clients: [String: RingClient] = [:]
    private var logs: [String: String] = [:]
    /// Nodes stopped with SIGSTOP: they answer nothing, so the topology checks skip them.
    private var paused: Set<String> = []
    private let lock = NSLock()

    /// Writes keys and the trusted-nodes file; starts nothing.
    init(names: [String], links: [(String, String)], extraConfiguration: String = RingNetwork.fastConfiguration) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-net-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.names = names
        self.extraConfiguration = extraConfiguration
        var ports: [String: Int] = [:]
        var publicKeys: [String: String] = [:]
        var keyPaths: [String: String] = [:]
        for name in names {
            var port = try SecurityCube.freePort()
            while ports.values.contains(port) { port = try SecurityCube.freePort() }
            ports[name] = port
            let identity = IdentityKey.generate()
            let path = directory.appendingPathComponent("\(name).key").path
            try identity.write(to: path, overwrite: false)
            keyPaths[name] = path
            publicKeys[name] = identity.publicKey.description
        }
        rogue = IdentityKey.generate()
        self.ports = ports
        self.publicKeys = publicKeys
        self.keyPaths = keyPaths
        var dials: [String: [String]] = [:]
        for (from, to) in links { dials[from, default: []].append(to) }
        self.dials = dials
        nodesFile = directory.appendingPathComponent("nodes").path
        let lines = names.map { "\($0) \(publicKeys[$0]!)" } + ["\(Self.rogueName) \(rogue.publicKey)"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: nodesFile, atomically: true, encoding: .utf8)
    }

    /// Builds the ring with chord, starts every node and waits until all of them see the
    /// whole topology. Prints how long that took.
    static func ring(extraConfiguration: String = RingNetwork.fastConfiguration) throws -> RingNetwork {
        let network = try RingNetwork(names: ["n1", "n2", "n3", "n4", "n5"], links: ringWithChord,
                                      extraConfiguration: extraConfiguration)
        do {
            let started = Date()
            for name in network.names { try network.start(name) }
            let converged = try network.waitForTopology(network.allEdges, timeout: 20)
            print("network: 5 nodes started and converged in \(Int(Date().timeIntervalSince(started) * 1000)) ms "
                + "(\(Int(converged)) ms of polling)")
        } catch {
            network.shutdown()
            throw error
        }
        return network
    }

    /// Every configured link.
    var allEdges: Set<Edge> { Set(dials.flatMap { from, tos in tos.map { Edge(from, $0) } }) }

    /// `tcp:127.0.0.1:<port of name>`.
    func address(_ name: String) -> String { "tcp:127.0.0.1:\(ports[name]!)" }

    // MARK: - Processes

    /// Starts (or restarts, with the same port) `name` and waits until it serves on its unix
    /// socket: with its own key, or with the key file `keyPath` and `extra` configuration lines.
    func start(_ name: String, keyPath: String? = nil, extra: String = "") throws {
        let peers = (dials[name] ?? []).flatMap { ["--peer", address($0)] }
        let arguments = ["--name", name, "--no-mount", "--listen", address(name), "--identity", keyPath ?? keyPaths[name]!,
                         "--nodes", nodesFile] + peers
        let cube = try CubeProcess(extraConfiguration: extraConfiguration + "\n" + extra, arguments: arguments)
        lock.withLock { cubes[name] = cube }
    }

    /// The running process of `name`.
    func cube(_ name: String) -> CubeProcess { lock.withLock { cubes[name]! } }

    /// Whether `name` has a live process that is not stopped (SIGSTOP).
    func isRunning(_ name: String) -> Bool {
        lock.withLock { !paused.contains(name) && (cubes[name]?.process.isRunning ?? false) }
    }

    /// Sends `signal` (SIGKILL by default) to `name`; for SIGKILL waits until it is gone and
    /// keeps its log. Its client is dropped.
    func kill(_ name: String, signal: Int32 = SIGKILL) {
        guard let cube = lock.withLock({ cubes[name] }) else { return }
        if signal == SIGKILL || signal == SIGTERM {
            _ = collectLog(name)
            lock.withLock { clients[name] = nil }
            cube.stop(signal: signal, seconds: 5)
            _ = collectLog(name)
            lock.withLock { cubes[name] = nil }
        } else {
            lock.withLock {
                if signal == SIGSTOP { paused.insert(name) }
                if signal == SIGCONT { paused.remove(name) }
            }
            let pid = cube.process.processIdentifier
            Glibc.kill(pid, signal)
            // kill(2) only queues the signal: under load the process may answer one more command
            // before it stops (seen: `TRUE beating` 1 ms after SIGSTOP). Wait until /proc says
            // it is stopped (state T), at most 5 s.
            if signal == SIGSTOP { Self.waitUntilStopped(pid) }
        }
    }

    /// Waits until process `pid` is in state `T` (stopped) or 5 s have passed.
    private static func waitUntilStopped(_ pid: Int32) {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            // /proc/<pid>/stat: "pid (comm) S ..."; the state follows the last ')'.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"),
               stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "T" { return }
            usleep(1_000)
        }
    }

    /// Kills every process (SIGCONT first, in case one is stopped) and removes the directory.
    func shutdown() {
        let all = lock.withLock { () -> [CubeProcess] in
            defer { cubes = [:]; clients = [:] }
            return Array(cubes.values)
        }
        for cube in all where cube.process.isRunning {
            Glibc.kill(cube.process.processIdentifier, SIGCONT)
            cube.stop(signal: SIGKILL, seconds: 5)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { shutdown() }

    // MARK: - Logs

    /// Everything `name` wrote to stderr so far (across restarts), read without blocking.
    func collectLog(_ name: String) -> String {
        guard let cube = lock.withLock({ cubes[name] }),
              let pipe = cube.process.standardError as? Pipe
        else { return lock.withLock { logs[name] ?? "" } }
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        var collected: [UInt8] = []
        while true {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else { break }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let got = read(descriptor, &buffer, buffer.count)
            guard got > 0 else { break }
            collected += buffer[0..<got]
        }
        return lock.withLock {
            logs[name, default: ""] += String(decoding: collected, as: UTF8.self)
            return logs[name]!
        }
    }

    // MARK: - Clients and queries

    /// A logged-in `unix-root` client of `name` (one per node, reused).
    func client(_ name: String) throws -> RingClient {
        if let client = lock.withLock({ clients[name] }) { return client }
        let client = try RingClient(socketPath: cube(name).socketPath)
        lock.withLock { clients[name] = client }
        return client
    }

    /// The `list nodes` table of `name`, by node.
    func nodes(on name: String) throws -> [String: RingNodeRow] {
        let reply = try client(name).ask("list nodes")
        guard reply.keyword == .size else { throw LiveTestError.timeout("list nodes on \(name): \(reply.rawText)") }
        return RingNodeRow.parse(String(decoding: reply.body ?? [], as: UTF8.self))
    }

    /// The raw `list nodes` table of `name` (for failure messages).
    /// What a failed wait shows of every running node: `list nodes`, `links` and its log's
    /// last lines about links and logins.
    func diagnosis() -> String {
        names.filter(isRunning).map { name in
            let links = (try? client(name).ask("links", timeout: 2)).map { String(decoding: $0.body ?? [], as: UTF8.self) }
            let log = collectLog(name).split(separator: "\n").filter { $0.contains("link") || $0.contains("login") }.suffix(12)
            return "\(name):\n\(nodesText(on: name))links:\n\(links ?? "(no answer)")log:\n"
                + log.map { "  " + $0 }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func nodesText(on name: String) -> String {
        guard let reply = try? client(name).ask("list nodes", timeout: 2) else { return "(no answer)" }
        return String(decoding: reply.body ?? [], as: UTF8.self)
    }

    /// Nodes reachable from `node` over `edges`, `node` included.
    static func component(of node: String, _ edges: Set<Edge>) -> Set<String> {
        var seen: Set<String> = [node]
        var queue = [node]
        while let next = queue.popLast() {
            for edge in edges where edge.a == next || edge.b == next {
                let other = edge.a == next ? edge.b : edge.a
                if seen.insert(other).inserted { queue.append(other) }
            }
        }
        return seen
    }

    /// Whether every running node's `list nodes` matches the graph `edges`: exactly the nodes of
    /// its component are reachable, and each of them lists exactly its neighbours in `edges`.
    /// - Returns: nil when it matches, else the first difference.
    func topologyDifference(_ edges: Set<Edge>) throws -> String? {
        for name in names where isRunning(name) {
            let table = try nodes(on: name)
            let component = Self.component(of: name, edges)
            for other in names {
                let row = table[other]
                let reachable = row?.distance != nil
                if reachable != component.contains(other) {
                    return "\(name) sees \(other) \(reachable ? "reachable" : "unreachable")"
                }
                guard component.contains(other), let row else { continue }
                let expected = Set(edges.filter { $0.a == other || $0.b == other }.map { $0.a == other ? $0.b : $0.a })
                if Set(row.neighbours) != expected {
                    return "\(name) sees neighbours of \(other) as \(row.neighbours.sorted()), expected \(expected.sorted())"
                }
            }
        }
        return nil
    }

    /// Polls until ``topologyDifference(_:)`` finds none.
    /// - Returns: the milliseconds it took.
    @discardableResult
    func waitForTopology(_ edges: Set<Edge>, timeout: Double = 10) throws -> Double {
        let started = Date()
        var last: String?
        while Date().timeIntervalSince(started) < timeout {
            last = try topologyDifference(edges)
            if last == nil { return Date().timeIntervalSince(started) * 1000 }
            usleep(5_000)
        }
        throw LiveTestError.timeout("topology \(edges.sorted { $0.description < $1.description }) not reached "
            + "in \(timeout) s: \(last ?? "?")\n\(diagnosis())")
    }

    /// Polls until every running node sees every node in `expected` reachable (and no other).
    @discardableResult
    func waitForReachable(_ expected: Set<String>, timeout: Double = 10) throws -> Double {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            var done = true
            for name in names where isRunning(name) {
                let table = try nodes(on: name)
                if Set(table.filter { $0.value.distance != nil && names.contains($0.key) }.keys) != expected {
                    done = false
                    break
                }
            }
            if done { return Date().timeIntervalSince(started) * 1000 }
            usleep(5_000)
        }
        throw LiveTestError.timeout("not every node sees \(expected.sorted()) reachable in \(timeout) s")
    }
}

/// One row of `list nodes`.
struct RingNodeRow: Equatable {
    let name: String
    /// nil when unreachable.
    let distance: Int?
    let via: String
    let neighbours: [String]
    let sequence: String

    /// Parses the table by the column offsets of its header (a cell may be empty).
    static func parse(_ table: String) -> [String: RingNodeRow] {
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard lines.count >= 2 else { return [:] }
        let header = String(decoding: lines[0], as: UTF8.self)
        let columns = ["node", "distance", "via", "neighbours", "zenki", "offers", "seq", "age"]
        let starts = columns.compactMap { column -> Int? in
            header.range(of: column).map { header.utf8.distance(from: header.startIndex, to: $0.lowerBound) }
        }
        guard starts.count == columns.count else { return [:] }
        var rows: [String: RingNodeRow] = [:]
        for line in lines.dropFirst(2) where !line.isEmpty {
            func cell(_ index: Int) -> String {
                let from = min(starts[index], line.count)
                let to = index + 1 < starts.count ? min(starts[index + 1], line.count) : line.count
                return String(decoding: line[from..<to], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
            let neighbours = cell(3)
            let row = RingNodeRow(name: cell(0), distance: Int(cell(1)), via: cell(2),
                                  neighbours: neighbours == "-" || neighbours.isEmpty ? [] : neighbours.split(separator: ",").map(String.init),
                                  sequence: cell(6))
            rows[row.name] = row
        }
        return rows
    }
}

/// A blocking `unix-root` client of one cube: numbered commands, replies matched by id (a reply
/// for another id is kept until asked for).
final class RingClient {
    private let connection: P7Connection
    private var nextID: UInt64 = 1
    private var early: [UInt64: Reply] = [:]

    init(socketPath: String) throws {
        connection = try P7Connection(unixPath: socketPath, timeout: .seconds(5))
        try connection.loginUnix(user: "unix-root")
    }

    /// A fresh command id.
    func newID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Sends `(<id>)<command>` and returns the id.
    @discardableResult
    func send(_ command: String) throws -> UInt64 {
        let id = newID()
        try connection.sendRaw(Array("(\(id))\(command)\n".utf8))
        return id
    }

    /// Sends raw bytes (several pipelined commands in one write).
    func sendRaw(_ text: String) throws { try connection.sendRaw(Array(text.utf8)) }

    /// The final reply for `id`, waiting at most `timeout` seconds.
    func reply(for id: UInt64, timeout: Double = 5) throws -> Reply {
        if let reply = early.removeValue(forKey: id) { return reply }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw ClientError.timeout }
            connection.timeout = .milliseconds(max(1, Int(remaining * 1000)))
            guard case .reply(let reply) = try connection.readReceived(), reply.keyword.closesRoute, reply.id != 0
            else { continue }
            if reply.id == id { return reply }
            early[reply.id] = reply
        }
    }

    /// Every final reply that arrives within `timeout`, until `count` arrived.
    func replies(count: Int, timeout: Double = 10) throws -> [Reply] {
        var out = Array(early.values)
        early = [:]
        let deadline = Date().addingTimeInterval(timeout)
        while out.count < count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            connection.timeout = .milliseconds(max(1, Int(remaining * 1000)))
            do {
                let received = try connection.readReceived()
                if let reply = received.reply, reply.keyword.closesRoute, reply.id != 0 { out.append(reply) }
            } catch ClientError.timeout {
                break
            }
        }
        return out
    }

    /// Sends `command` and returns its final reply.
    func ask(_ command: String, timeout: Double = 5) throws -> Reply {
        try reply(for: try send(command), timeout: timeout)
    }

    /// Asks `command` until its reply is `TRUE <text>` (`text` nil: any TRUE), pausing
    /// `interval` between failed attempts.
    /// - Returns: the milliseconds from the call until the successful reply, or nil on timeout.
    func askUntilTrue(_ command: String, text: String? = nil, timeout: Double = 10, interval: Double = 0.002,
                      since start: Date = Date()) -> Double? {
        while Date().timeIntervalSince(start) < timeout {
            if let reply = try? ask(command, timeout: max(0.1, timeout - Date().timeIntervalSince(start))),
               reply.keyword == .trueReply, text == nil || reply.textString == text {
                return Date().timeIntervalSince(start) * 1000
            }
            usleep(UInt32(interval * 1_000_000))
        }
        return nil
    }
}

extension Reply {
    /// The reply's line as the cube renders it, `(<id>)KEYWORD text`, for messages.
    var rawText: String { String(decoding: Received.reply(self).line, as: UTF8.self) }
}

/// `N ms`, or `never` for nil.
func ringMs(_ milliseconds: Double?) -> String { milliseconds.map { "\(Int($0)) ms" } ?? "never" }
