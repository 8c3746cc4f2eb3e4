import CubeAuth
import CubeClient
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Key certificates from the clients' side against a real cube (issue 19, docs/security.md
/// "Key certificates"): `cube cert sign` and `set-client-key` make them, `p7 --cert` presents
/// them over TCP and the unix socket, and refused ones say why.
@Suite(.serialized) struct CertificateLiveTests {
    /// A user key made by `cube keygen` in the fixture's directory.
    static func userKey(_ fixture: SecurityCube, _ name: String) throws -> (path: String, key: String) {
        let path = fixture.keys.appendingPathComponent("\(name).key").path
        return (path, try CubeKeygen.run(out: path))
    }

    /// Writes `text` as a certificate file and returns its path.
    static func certificateFile(_ fixture: SecurityCube, _ name: String, _ text: String) throws -> String {
        let path = fixture.keys.appendingPathComponent("\(name).cert").path
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aCertificateFromCubeCertSignLogsInAsItsNameOverTCPAndUnix() throws {
        let fixture = try SecurityCube()
        let bob = try Self.userKey(fixture, "bob")
        let signed = try ExecutableRun.run(Binaries.cube, ["cert", "sign", "--key", fixture.nodeKeyPath, "--name", "remote-bob",
                                                           "--days", "2", bob.key])
        #expect(signed.status == 0, "\(signed.stderr)")
        let text = signed.stdout.trimmingCharacters(in: .newlines)
        let certificate = try #require(KeyCertificate(text: text))
        #expect(certificate.name == "remote-bob" && certificate.key.description == bob.key && certificate.signer == fixture.nodeKey)
        let path = try Self.certificateFile(fixture, "bob", text)
        for address in [fixture.address, "unix:\(fixture.cube.socketPath)"] {
            let run = try fixture.p7(["--connect", address, "--key", bob.path, "--cert", path, "--pin", "whoami"])
            #expect(run.status == 0, "\(address): \(run.stderr)")
            #expect(run.stdout.hasPrefix("remote-bob "), "\(address): \(run.stdout)")
        }
        // Without the certificate the key is nobody.
        let bare = try fixture.p7(["--connect", fixture.address, "--key", bob.path, "--pin", "whoami"])
        #expect(bare.status == 3 && bare.stderr.contains("AUTH_ERROR"), "\(bare.stderr)")
        // `cube cert show` prints the id that `revoke` takes.
        let shown = try ExecutableRun.run(Binaries.cube, ["cert", "show", path])
        #expect(shown.status == 0 && shown.stdout.contains("id: \(certificate.id)") && shown.stdout.contains("name: remote-bob"))
        fixture.stop()
    }

    @Test func p7GetsACertificateWithSetClientKeyAndLogsInWithIt() throws {
        let fixture = try SecurityCube()
        let carol = try Self.userKey(fixture, "carol")
        // The admin (unix-root over the unix socket) asks the node to sign.
        let issued = try fixture.p7(["--socket", fixture.cube.socketPath, "set-client-key", carol.key, "remote-carol", "1"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let text = issued.stdout.trimmingCharacters(in: .newlines)
        #expect(KeyCertificate(text: text)?.name == "remote-carol", "\(issued.stdout)")
        let path = try Self.certificateFile(fixture, "carol", text)
        let run = try fixture.p7(["--connect", fixture.address, "--key", carol.path, "--cert", path, "--pin", "whoami"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("remote-carol "))
        fixture.stop()
    }

    @Test func expiredForeignAndUntrustedCertificatesAreRefusedWithAReason() throws {
        let hq = IdentityKey.generate()
        let fixture = try SecurityCube(extraConfiguration: "auth.c25519.trusted-signers = \(hq.publicKey)")
        let node = try IdentityKey.read(from: fixture.nodeKeyPath)
        let dave = try Self.userKey(fixture, "dave")
        let daveKey = try #require(PublicKey(base32: dave.key))
        let now = Int64(time(nil))

        func refusal(_ certificate: KeyCertificate, _ name: String) throws -> ExecutableRun {
            let path = try Self.certificateFile(fixture, name, certificate.text)
            return try fixture.p7(["--connect", fixture.address, "--key", dave.path, "--cert", path, "--pin", "whoami"])
        }
        let expired = try refusal(KeyCertificate.issue(for: daveKey, name: "remote-dave", expires: now - 10, by: node), "expired")
        #expect(expired.status == 3 && expired.stderr.contains("FALSE key certificate expired at \(now - 10)"),
                "\(expired.stderr)")
        let stranger = IdentityKey.generate()
        let untrusted = try refusal(KeyCertificate.issue(for: daveKey, name: "remote-dave", expires: now + 600, by: stranger),
                                    "untrusted")
        #expect(untrusted.status == 3 && untrusted.stderr.contains("FALSE key certificate signed by untrusted key \(stranger.publicKey)"),
                "\(untrusted.stderr)")
        // A trusted signer certifies ordinary names, but not a name with its own access rule.
        let fromHQ = try refusal(KeyCertificate.issue(for: daveKey, name: "remote-dave", expires: now + 600, by: hq), "hq")
        #expect(fromHQ.status == 0 && fromHQ.stdout.hasPrefix("remote-dave "), "\(fromHQ.stderr)")
        let admin = try refusal(KeyCertificate.issue(for: daveKey, name: "remote-alice", expires: now + 600, by: hq), "admin")
        #expect(admin.status == 3 && admin.stderr.contains("may not certify the name 'remote-alice'"), "\(admin.stderr)")

        // A certificate for another key: p7 refuses to send it, and the cube refuses it too.
        let foreign = KeyCertificate.issue(for: fixture.stranger.publicKey, name: "remote-dave", expires: now + 600, by: node)
        let local = try refusal(foreign, "foreign")
        #expect(local.status == 3 && local.stderr.contains("is for key \(fixture.stranger.publicKey)"), "\(local.stderr)")
        let connection = try P7Connection(address: .tcp(host: "127.0.0.1", port: fixture.port), timeout: .seconds(5))
        let identity = try IdentityKey.read(from: dave.path)
        do {
            try connection.loginC25519(identity: identity, expectedServer: nil, certificate: foreign.text)
            Issue.record("a certificate for another key logged in")
        } catch .loginFailed(let line) {
            #expect(line == "FALSE key certificate is for key \(fixture.stranger.publicKey), not for the key \(daveKey) this login presents")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(connection.isClosed)
        fixture.stop()
    }

    @Test func aScopedSignerCertifiesItsNamesOnlyAndNotForTooLong() throws {
        let ops = IdentityKey.generate()
        let fixture = try SecurityCube(extraConfiguration: """
            auth.c25519.signer.ops.key = \(ops.publicKey)
            auth.c25519.signer.ops.names = dev-* remote-alice
            auth.c25519.signer.ops.max-days = 2
            """)
        let erin = try Self.userKey(fixture, "erin")
        let erinKey = try #require(PublicKey(base32: erin.key))
        let now = Int64(time(nil))
        func login(_ name: String, days: Int64) throws -> ExecutableRun {
            let certificate = KeyCertificate.issue(for: erinKey, name: name, expires: now + days * 86_400 - 60, by: ops)
            let path = try Self.certificateFile(fixture, "\(name)-\(days)", certificate.text)
            return try fixture.p7(["--connect", fixture.address, "--key", erin.path, "--cert", path, "--pin", "whoami"])
        }
        let dev = try login("dev-erin", days: 2)
        #expect(dev.status == 0 && dev.stdout.hasPrefix("dev-erin "), "\(dev.stderr)")
        // remote-alice has its own access rule (admin-like): listed literally, so allowed.
        let admin = try login("remote-alice", days: 1)
        #expect(admin.status == 0 && admin.stdout.hasPrefix("remote-alice "), "\(admin.stderr)")
        let outside = try login("ops-erin", days: 1)
        #expect(outside.status == 3 && outside.stderr.contains("may not certify the name 'ops-erin'"), "\(outside.stderr)")
        let long = try login("dev-erin", days: 10)
        #expect(long.status == 3 && long.stderr.contains("longer than its signer may give (2 days)"), "\(long.stderr)")
        fixture.stop()
    }
}
