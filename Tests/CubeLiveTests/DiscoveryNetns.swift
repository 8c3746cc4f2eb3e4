import CubeAuth
import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Two network namespaces joined by a veth pair, for discovery tests: a segment of its own, so
/// multicast never leaves the test and the host's interfaces play no part. Everything it creates
/// (namespaces, the pair, cube processes, files) goes away in ``tearDown()``, also from `deinit`.
final class DiscoveryNetns: @unchecked Sendable {
    /// One cube running inside a namespace.
    struct Node {
        let name: String
        let process: Process
        let socketPath: String
        let logPath: String

        /// What the cube logged so far.
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    }

    /// The namespaces, `p7d-a-<pid>` and `p7d-b-<pid>`.
    let namespaces: (a: String, b: String)
    /// The veth ends, one in each namespace (`p7da<pid>` in a, `p7db<pid>` in b).
    let interfaces: (a: String, b: String)
    /// The ends' addresses: `10.77.<x>.1` in a, `.2` in b.
    let addresses: (a: String, b: String)
    let directory: URL
    private let ip: String
    private var created: [String] = []
    private var nodes: [Node] = []

    /// Why the test cannot run here, nil if it can: checked once by creating and deleting a
    /// namespace, so a machine that cannot skips the test and one that can fails it on error.
    static let unavailableReason: String? = {
        guard let ip = ipPath else { return "no 'ip' command (iproute2)" }
        guard geteuid() == 0 else { return "not root: network namespaces need CAP_SYS_ADMIN" }
        let probe = "p7d-probe-\(getpid())"
        guard run(ip, ["netns", "add", probe]) == 0 else { return "cannot create network namespaces here" }
        _ = run(ip, ["netns", "delete", probe])
        return nil
    }()

    /// Runs `tool` with `arguments`, output discarded; its exit status (-1 if it did not start).
    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static var ipPath: String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates both namespaces and the pair, addressed and up.
    /// - Throws: ``LiveTestError`` naming the `ip` command that failed (what was created is removed).
    init() throws {
        guard let ip = Self.ipPath else { throw LiveTestError.cubeExited("no ip command") }
        self.ip = ip
        let pid = getpid()
        // Names are per process so that concurrent runs (and leftovers of a killed run) don't clash;
        // interface names must stay within 15 characters.
        namespaces = ("p7d-a-\(pid)", "p7d-b-\(pid)")
        interfaces = ("p7da\(pid)", "p7db\(pid)")
        let subnet = "10.77.\(pid % 200 + 20)"
        addresses = ("\(subnet).1", "\(subnet).2")
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-disc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            for namespace in [namespaces.a, namespaces.b] {
                try run(["netns", "add", namespace])
                created.append(namespace)
            }
            // Created directly inside the namespaces: the host never sees either end.
            try run(["link", "add", interfaces.a, "netns", namespaces.a, "type", "veth",
                     "peer", "name", interfaces.b, "netns", namespaces.b])
            for (namespace, interface, address) in [(namespaces.a, interfaces.a, addresses.a),
                                                    (namespaces.b, interfaces.b, addresses.b)] {
                try run(["-n", namespace, "addr", "add", "\(address)/24", "dev", interface])
                try run(["-n", namespace, "link", "set", "lo", "up"])
                try run(["-n", namespace, "link", "set", interface, "up"])
            }
        } catch {
            tearDown()
            throw error
        }
    }

    /// Starts `cube run` inside `namespace`, discovering on `interface` every second.
    /// - Parameters:
    ///   - name: the node name.
    ///   - listen: `tcp:HOST:PORT` inside the namespace; nil for none (the node only dials).
    ///   - identity: the node's key.
    ///   - trusted: the nodes file's entries.
    ///   - extra: more configuration lines.
    /// - Returns: the node once its unix socket answers.
    func startCube(name: String, namespace: String, interface: String, listen: String?, identity: IdentityKey,
                   trusted: [(String, PublicKey)], extra: String = "") throws -> Node {
        let keyPath = directory.appendingPathComponent("\(name).key").path
        // Overwritten: a node restarted with another key.
        try identity.write(to: keyPath, overwrite: true)
        let nodesPath = directory.appendingPathComponent("\(name).nodes").path
        try trusted.map { "\($0.0) \($0.1)\n" }.joined().write(toFile: nodesPath, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("\(name).conf")
        try """
            \(CubeProfile.live.baseConfiguration)
            network.discovery.interface = \(interface)
            network.discovery.interval = 1
            network.reconnect-max = 2
            \(extra)

            """.write(to: config, atomically: true, encoding: .utf8)
        let socketPath = directory.appendingPathComponent("\(name).sock").path
        let logPath = directory.appendingPathComponent("\(name).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath)
        else { throw LiveTestError.cubeExited("cannot create \(logPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ip)
        // `ip netns exec` execs the command, so the process is the cube itself and signals reach it.
        process.arguments = ["netns", "exec", namespace, Binaries.cube, "run", "--config", config.path,
                             "--socket", socketPath, "--name", name, "--identity", keyPath,
                             "--nodes", nodesPath, "--log-level", "warning"] + (listen.map { ["--listen", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        // A file, not a pipe: nobody drains it while the test waits, and a full pipe would block the cube.
        process.standardError = log
        try process.run()
        ChildOutput.closeParentCopies(log)
        let node = Node(name: name, process: process, socketPath: socketPath, logPath: logPath)
        nodes.append(node)
        switch CubeServing.wait(socketPath: socketPath, process: process, interval: 0.02) {
        case .serving: return node
        case .exited: throw LiveTestError.cubeExited(node.log)
        case .timedOut: throw LiveTestError.timeout("cube \(name) did not serve on \(socketPath): \(node.log)")
        }
    }

    /// Stops one cube (SIGTERM, SIGKILL after 5 s), e.g. to start it again otherwise.
    func stop(_ node: Node) {
        guard node.process.isRunning else { return }
        kill(node.process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while node.process.isRunning && Date() < deadline { usleep(10_000) }
        if node.process.isRunning {
            kill(node.process.processIdentifier, SIGKILL)
            node.process.waitUntilExit()
        }
    }

    /// Stops the cubes, deletes the namespaces (which removes the pair) and the files. Idempotent.
    func tearDown() {
        for node in nodes { stop(node) }
        nodes = []
        for namespace in created.reversed() { try? run(["netns", "del", namespace]) }
        created = []
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { tearDown() }

    /// Runs `ip` with `arguments`.
    /// - Throws: ``LiveTestError`` with its stderr when it fails.
    private func run(_ arguments: [String]) throws {
        let result = try ExecutableRun.run(ip, arguments)
        guard result.status == 0 else {
            throw LiveTestError.cubeExited("ip \(arguments.joined(separator: " ")): \(result.status) \(result.stderr)")
        }
    }
}
