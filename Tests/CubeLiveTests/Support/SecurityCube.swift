import CubeAuth
import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A cube listening on a unix socket and on TCP 127.0.0.1 with `c25519`: a node key made by
/// `cube keygen`, and an authorized-keys file listing `client` as `remote-alice` and `zenka`
/// as `calc`. `stranger` is a valid key that is not authorized.
final class SecurityCube: @unchecked Sendable {
    let keys: URL
    let port: Int
    let nodeKey: PublicKey
    let nodeKeyPath: String
    let client: IdentityKey
    let clientKeyPath: String
    let zenka: IdentityKey
    let stranger: IdentityKey
    let strangerKeyPath: String
    let cube: CubeProcess

    static let configuration = """
        access.cmd.usr.remote-alice = **
        """

    init(extraConfiguration: String = "") throws {
        keys = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-sec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        nodeKeyPath = keys.appendingPathComponent("node.key").path
        let printed = try CubeKeygen.run(out: nodeKeyPath)
        guard let nodeKey = PublicKey(base32: printed) else { throw LiveTestError.cubeExited("cube keygen printed '\(printed)'") }
        self.nodeKey = nodeKey
        client = IdentityKey.generate()
        clientKeyPath = keys.appendingPathComponent("client.key").path
        try client.write(to: clientKeyPath, overwrite: false)
        zenka = IdentityKey.generate()
        stranger = IdentityKey.generate()
        strangerKeyPath = keys.appendingPathComponent("stranger.key").path
        try stranger.write(to: strangerKeyPath, overwrite: false)
        let authorized = keys.appendingPathComponent("authorized-keys").path
        try "# test keys\n\(client.publicKey) remote-alice\n\(zenka.publicKey) calc  # the zenka\n"
            .write(toFile: authorized, atomically: true, encoding: .utf8)
        port = try Self.freePort()
        cube = try CubeProcess(
            extraConfiguration: Self.configuration + "\n" + extraConfiguration,
            arguments: ["--listen", "tcp:127.0.0.1:\(port)", "--identity", nodeKeyPath, "--authorized-keys", authorized])
        try waitForTCP()
    }

    /// The address p7 is given, which is also the node's name in the known-nodes file.
    var address: String { "tcp:127.0.0.1:\(port)" }

    /// A known-nodes file path in the key directory (not created).
    func knownNodesPath(_ name: String = "known-nodes") -> String { keys.appendingPathComponent(name).path }

    /// Runs the p7 binary with `HOME` pointing into the key directory.
    func p7(_ arguments: [String]) throws -> ExecutableRun {
        try ExecutableRun.run(Binaries.p7, arguments, environment: ["HOME": keys.appendingPathComponent("home").path])
    }

    func stop() {
        cube.stop()
    }

    private func waitForTCP() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let probe = try? RawSocket(tcpPort: port), probe.read(count: 32, timeout: 1).count == 32 { return }
            usleep(20_000)
        }
        throw LiveTestError.timeout("cube did not listen on 127.0.0.1:\(port): \(cube.standardError())")
    }

    /// A port that was free a moment ago (``FreePort/next()``).
    static func freePort() throws -> Int { try FreePort.next() }

    deinit {
        cube.stop()
        try? FileManager.default.removeItem(at: keys)
    }
}
