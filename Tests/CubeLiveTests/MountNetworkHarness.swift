import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Two real cubes linked over TCP 127.0.0.1: `n1` mounts the network at a fresh directory,
/// `n2` keeps a link to it (`--peer`). Each has an identity made by `cube keygen`; one nodes
/// file (`<node> <public key>` per line) makes each trust the other.
///
/// Like ``MountedCube`` (whose helpers it uses: ``MountChild``, ``MountInfo``): the test process
/// never touches the mount, children do; ``cleanup()`` (also run by `deinit`) stops both cubes
/// and removes whatever is still mounted, so every path unmounts. ``MountedCube`` cannot take
/// the network options, hence this type.
final class LinkedMountedCubes: @unchecked Sendable {
    let directory: URL
    let mountPoint: String
    let ports: (n1: Int, n2: Int)
    /// Public keys (base32) as `cube keygen` printed them.
    let keys: (n1: String, n2: String)
    private let keyPaths: (n1: String, n2: String)
    private let nodesPath: String
    /// The mounting cube.
    private(set) var n1: CubeProcess?
    /// The cube that dials `n1`.
    private(set) var n2: CubeProcess?
    private var cleanedUp = false

    /// Starts `n1` with the mount and waits until it is in the mount table, then starts `n2`.
    init() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("p7net-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        keyPaths = (directory.appendingPathComponent("n1.key").path, directory.appendingPathComponent("n2.key").path)
        keys = (try CubeKeygen.run(out: keyPaths.n1), try CubeKeygen.run(out: keyPaths.n2))
        nodesPath = directory.appendingPathComponent("nodes").path
        try "n1 \(keys.n1)\nn2 \(keys.n2)\n".write(toFile: nodesPath, atomically: true, encoding: .utf8)
        ports = (try SecurityCube.freePort(), try SecurityCube.freePort())
        mountPoint = "/tmp/p7netmnt-\(UUID().uuidString.prefix(8))"
        mkdir(mountPoint, 0o755)
        do {
            let n1 = try CubeProcess(arguments: ["--mount", mountPoint] + networkArguments("n1", port: ports.n1, key: keyPaths.n1))
            self.n1 = n1
            guard mountWait(timeout: 10, { !MountInfo.entries(at: mountPoint).isEmpty || !n1.process.isRunning }) != nil,
                  n1.process.isRunning
            else { throw LiveTestError.timeout("n1 did not mount \(mountPoint): \(Self.logSoFar(n1))") }
            try startN2()
        } catch {
            cleanup()
            throw error
        }
    }

    /// Starts `n2` (again, after ``stopN2()``): it dials `n1`.
    func startN2() throws {
        n2 = try CubeProcess(arguments: networkArguments("n2", port: ports.n2, key: keyPaths.n2)
                             + ["--peer", "tcp:127.0.0.1:\(ports.n1)"])
    }

    /// Stops `n2` with SIGTERM (its link to `n1` closes).
    func stopN2() {
        n2?.stop(signal: SIGTERM, seconds: 5)
    }

    private func networkArguments(_ name: String, port: Int, key: String) -> [String] {
        ["--name", name, "--listen", "tcp:127.0.0.1:\(port)", "--identity", key, "--nodes", nodesPath]
    }

    /// `mountPoint` joined with a relative path inside the mount (for child processes only).
    func path(_ relative: String = "") -> String {
        relative.isEmpty ? mountPoint : mountPoint + "/" + relative
    }

    /// The names `ls` shows in a child (nil if ls failed).
    func names(_ relative: String = "") -> [String]? {
        let listing = MountChild.run(["/bin/ls", path(relative)])
        return listing.succeeded ? listing.lines : nil
    }

    /// Polls `ls relative` until its names satisfy `condition`; the names, or nil on timeout.
    func waitForNames(_ relative: String, timeout: Double = 10, _ condition: ([String]?) -> Bool) -> [String]? {
        var last: [String]?
        let took = mountWait(timeout: timeout) {
            last = names(relative)
            return condition(last)
        }
        return took == nil ? nil : (last ?? [])
    }

    /// `cat` of a file of the mount, in a child.
    func cat(_ relative: String) -> MountChild.Outcome { MountChild.run(["/bin/cat", path(relative)]) }

    /// `sh -c 'echo LINE > PATH'`, in a child.
    func echo(_ line: String, to relative: String) -> MountChild.Outcome {
        MountChild.sh("echo \(shq(line)) > \(shq(path(relative)))")
    }

    /// Starts ``MountScripts/read`` on `relative` in the background: it ends once `count` lines
    /// containing `pattern` arrived (exit 3 after `timeout` seconds).
    func reader(_ relative: String, count: Int = 1, pattern: String = "-", timeout: Double = 5) -> MountChild {
        MountChild.python(MountScripts.read, [path(relative), String(count), String(timeout), pattern, "-"])
    }

    /// What went wrong, for failed expectations: what both cubes logged so far.
    var diagnostics: String {
        "n1 log: \(n1.map(Self.logSoFar) ?? "-")\nn2 log: \(n2.map(Self.logSoFar) ?? "-")"
    }

    /// The cube's stderr read so far, without waiting (``CubeProcess/standardError()`` blocks
    /// while a running cube has written nothing).
    private static func logSoFar(_ cube: CubeProcess) -> String {
        guard let pipe = cube.process.standardError as? Pipe else { return "" }
        let fd = pipe.fileHandleForReading.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Stops both cubes (SIGTERM) and removes anything still mounted. Idempotent.
    func cleanup() {
        if cleanedUp { return }
        cleanedUp = true
        n2?.stop(signal: SIGTERM, seconds: 5)
        n1?.stop(signal: SIGTERM, seconds: 5)
        MountInfo.forceUnmount(mountPoint)
        if MountInfo.entries(at: mountPoint).isEmpty { rmdir(mountPoint) }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { cleanup() }
}
