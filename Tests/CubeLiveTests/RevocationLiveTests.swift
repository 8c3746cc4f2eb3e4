import CubeAuth
import CubeClient
import CubeCore
import CubeTestSupport
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Revocation across a network of real cubes (issue 19, docs/security.md "Revocation"): a user
/// certified by n1 (A) logs in on every node of the five-node loopback ring (B = n2…n5 trust n1
/// as a signer), with the client library and with `p7 --cert` at A and B; n1's admin revokes
/// the certificate; every node closes the open session and refuses new logins with the reason.
@Suite(.serialized) struct RevocationLiveTests {
    /// A `c25519` session over TCP on `port` with `certificate`.
    static func login(port: Int, identity: IdentityKey, certificate: KeyCertificate) throws(ClientError) -> P7Connection {
        let connection = try P7Connection(address: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(10))
        try connection.loginC25519(identity: identity, expectedServer: nil, certificate: certificate.text)
        return connection
    }

    /// The cube's refusal line for a login with `certificate` on `port`, or nil if it got in.
    static func refusal(port: Int, identity: IdentityKey, certificate: KeyCertificate) -> String? {
        let result = Result { () throws(ClientError) -> P7Connection in
            try login(port: port, identity: identity, certificate: certificate)
        }
        switch result {
        case .success(let connection):
            connection.close()
            return nil
        case .failure(.loginFailed(let line)): return line
        case .failure(let error): return "\(error)"
        }
    }

    @Test func aRevokedCertificateIsRefusedOnEveryNodeAndItsSessionsAreClosed() throws {
        let net = try RingNetwork(names: ["n1", "n2", "n3", "n4", "n5"], links: RingNetwork.ringWithChord)
        defer { net.shutdown() }
        let signerKey = try #require(net.publicKeys["n1"])
        net.extraConfiguration += "\nauth.c25519.trusted-signers = \(signerKey)\n"
        for name in net.names { try net.start(name) }
        _ = try net.waitForTopology(net.allEdges, timeout: 20)

        let n1 = try IdentityKey.read(from: net.directory.appendingPathComponent("n1.key").path)
        let user = IdentityKey.generate()
        let certificate = KeyCertificate.issue(for: user.publicKey, name: "remote-ann",
                                               expires: Int64(time(nil)) + 3600, by: n1)
        // Logged in on every node: on n1 by its own signature, elsewhere through the trust in n1.
        var sessions: [String: P7Connection] = [:]
        for name in net.names {
            let connection = try Self.login(port: net.ports[name]!, identity: user, certificate: certificate)
            try connection.send("(1)whoami")
            let reply = try connection.readReply()
            #expect(reply.keyword == .trueReply && reply.textString.hasPrefix("remote-ann "), "\(name): \(reply.rawText)")
            sessions[name] = connection
        }

        // The same with the p7 binary, as a user would (`p7 --key --cert`): at A (n1) and at B (n2).
        let userKey = net.directory.appendingPathComponent("ann.key").path
        let certFile = net.directory.appendingPathComponent("ann.cert").path
        try user.write(to: userKey, overwrite: false)
        try (certificate.text + "\n").write(toFile: certFile, atomically: true, encoding: .utf8)
        func p7Login(_ name: String) throws -> ExecutableRun {
            try ExecutableRun.run(Binaries.p7, ["--connect", net.address(name), "--key", userKey, "--cert", certFile,
                                                "--known-nodes", net.directory.appendingPathComponent("known-nodes").path,
                                                "--pin", "whoami"],
                                  environment: ["HOME": net.directory.path])
        }
        for name in ["n1", "n2"] {
            let run = try p7Login(name)
            #expect(run.status == 0 && run.stdout.hasPrefix("remote-ann "), "p7 at \(name): \(run.stdout)\(run.stderr)")
        }

        // Each session waits for its end on its own thread, so each node's time is its own.
        let closedAfter = Mutex<[String: Double]>([:])
        let started = Date()
        let group = DispatchGroup()
        for (name, connection) in sessions {
            group.enter()
            let box = ConnectionBox(connection: connection)
            Thread.detachNewThread {
                defer { group.leave() }
                let connection = box.connection
                connection.timeout = .seconds(15)
                var text = ""
                while let frame = try? connection.readFrame() {
                    if case .line(let line) = frame { text = String(decoding: line, as: UTF8.self) }
                }
                let elapsed = Date().timeIntervalSince(started) * 1000
                if text.hasPrefix("!TERM! credentials revoked") { closedAfter.withLock { $0[name] = elapsed } }
            }
        }
        let revoke = try net.client("n1").ask("revoke \(certificate.id)")
        #expect(revoke.keyword == .trueReply && revoke.textString == "revoked cert:\(certificate.id), 1 session(s) closed",
                "\(revoke.rawText)")
        #expect(group.wait(timeout: .now() + 20) == .success)
        let times = closedAfter.withLock { $0 }
        print("revocation: sessions closed after " + net.names.map { "\($0) \(times[$0].map { String(Int($0)) } ?? "-") ms" }
            .joined(separator: ", "))
        #expect(Set(times.keys) == Set(net.names), "sessions not closed with the reason: \(times)")

        // Every node refuses the certificate now, with the reason, and lists the entry.
        for name in net.names {
            let line = Self.refusal(port: net.ports[name]!, identity: user, certificate: certificate)
            #expect(line == "FALSE key certificate revoked (cert:\(certificate.id))", "\(name): \(line ?? "logged in")")
            let table = try net.client(name).ask("revocations")
            let body = String(decoding: table.body ?? [], as: UTF8.self)
            #expect(body.contains("cert:\(certificate.id)") && body.contains(signerKey), "\(name): \(body)")
        }
        for name in ["n1", "n2"] {
            let run = try p7Login(name)
            #expect(run.status == 3 && run.stderr.contains("FALSE key certificate revoked (cert:\(certificate.id))"),
                    "p7 at \(name): \(run.stdout)\(run.stderr)")
        }
        // A node that starts later learns it from its neighbours when its links come up.
        net.kill("n4")
        try net.start("n4")
        _ = try net.waitForTopology(net.allEdges, timeout: 20)
        var refusedAgain = false
        for _ in 0..<50 where !refusedAgain {
            refusedAgain = Self.refusal(port: net.ports["n4"]!, identity: user, certificate: certificate)?.contains("revoked") == true
            if !refusedAgain { usleep(100_000) }
        }
        #expect(refusedAgain, "the restarted n4 accepted the revoked certificate")
    }

    @Test func aRevokedKeyStaysRevokedAcrossARestart() throws {
        let fixture = try SecurityCube()
        let socket = fixture.cube.socketPath
        let alice = try fixture.p7(["--socket", socket, "revoke", fixture.client.publicKey.description])
        #expect(alice.status == 0 && alice.stdout.hasPrefix("revoked key:\(fixture.client.publicKey)"), "\(alice.stdout)\(alice.stderr)")
        let refused = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--pin", "whoami"])
        #expect(refused.status == 3 && refused.stderr.contains("FALSE key revoked (key:\(fixture.client.publicKey))"),
                "\(refused.stderr)")
        let file = fixture.cube.directory.appendingPathComponent("revocations").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("key:\(fixture.client.publicKey) "))
        // The same node started again (same key, same socket directory) still refuses it.
        fixture.cube.stop()
        let again = try CubeProcess(extraConfiguration: SecurityCube.configuration, socketPath: socket,
                                    arguments: ["--identity", fixture.nodeKeyPath, "--authorized-keys",
                                                fixture.keys.appendingPathComponent("authorized-keys").path])
        defer { again.stop() }
        let listed = try fixture.p7(["--socket", socket, "revocations"])
        #expect(listed.status == 0 && listed.stdout.contains("key:\(fixture.client.publicKey)"), "\(listed.stdout)")
        let unix = try fixture.p7(["--connect", "unix:\(socket)", "--key", fixture.clientKeyPath, "--pin", "whoami"])
        #expect(unix.status == 3 && unix.stderr.contains("key revoked"), "\(unix.stderr)")
        let usage = try fixture.p7(["--socket", socket, "revoke", "nonsense"])
        #expect(usage.status == 1 && usage.stdout.contains("usage: revoke"))
    }

    /// With `state.directory` the list is kept there, not next to the socket: the shipped
    /// systemd unit's `RuntimeDirectory` (the socket's) is emptied at every stop, and a revoked
    /// key could log in again after `systemctl restart`. A list an older version kept next to
    /// the socket is still read while the state directory has none.
    @Test func theListIsKeptInTheStateDirectoryWhenThereIsOne() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("revstate-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let fixture = try SecurityCube(extraConfiguration: "state.directory = \(state)")
        let socket = fixture.cube.socketPath
        let revoked = try fixture.p7(["--socket", socket, "revoke", fixture.client.publicKey.description])
        #expect(revoked.status == 0, "\(revoked.stdout)\(revoked.stderr)")
        let kept = try String(contentsOfFile: state + "/revocations", encoding: .utf8)
        #expect(kept.contains("key:\(fixture.client.publicKey) "))
        let beside = fixture.cube.directory.appendingPathComponent("revocations").path
        #expect(!FileManager.default.fileExists(atPath: beside))
        // As systemd does with the runtime directory: the socket's directory is emptied.
        fixture.cube.stop()
        let authorized = fixture.keys.appendingPathComponent("authorized-keys").path
        let arguments = ["--identity", fixture.nodeKeyPath, "--authorized-keys", authorized]
        let again = try CubeProcess(extraConfiguration: SecurityCube.configuration + "\nstate.directory = \(state)",
                                    arguments: arguments)
        defer { again.stop() }
        let listed = try fixture.p7(["--socket", again.socketPath, "revocations"])
        #expect(listed.status == 0 && listed.stdout.contains("key:\(fixture.client.publicKey)"), "\(listed.stdout)")
        again.stop()
        // An older version's list next to the socket, none in the state directory: read.
        try FileManager.default.moveItem(atPath: state + "/revocations", toPath: again.directory.appendingPathComponent("revocations").path)
        let upgraded = try CubeProcess(extraConfiguration: SecurityCube.configuration + "\nstate.directory = \(state)",
                                       socketPath: again.socketPath, arguments: arguments)
        defer { upgraded.stop() }
        let read = try fixture.p7(["--socket", upgraded.socketPath, "revocations"])
        #expect(read.status == 0 && read.stdout.contains("key:\(fixture.client.publicKey)"), "\(read.stdout)")
    }
}

/// Hands a connection to the one thread that reads it from then on.
private struct ConnectionBox: @unchecked Sendable {
    let connection: P7Connection
}
