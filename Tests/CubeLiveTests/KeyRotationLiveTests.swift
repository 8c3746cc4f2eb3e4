import CubeAuth
import CubeClient
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Node key rotation for pinned clients (issue 19, docs/security.md "Node key rotation"):
/// `cube keygen --rotate` signs the new key with the old one; a p7 that pinned the old key
/// accepts the new one on that proof and re-pins; a forged or expired proof is refused; the
/// retired key is still accepted for a day after the proof's issued time, and refused after.
@Suite(.serialized) struct KeyRotationLiveTests {
    /// A cube on `fixture`'s socket directory and TCP port with `identity` and `rotation`.
    static func restart(_ fixture: SecurityCube, identity: String, rotation: String?) throws -> CubeProcess {
        let authorized = fixture.keys.appendingPathComponent("authorized-keys").path
        let extra = rotation.map { "auth.c25519.rotation = \($0)" } ?? ""
        let cube = try CubeProcess(extraConfiguration: SecurityCube.configuration + "\n" + extra,
                                   arguments: ["--listen", "tcp:127.0.0.1:\(fixture.port)", "--identity", identity,
                                               "--authorized-keys", authorized])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let probe = try? RawSocket(tcpPort: fixture.port), probe.read(count: 32, timeout: 1).count == 32 { return cube }
            usleep(20_000)
        }
        throw LiveTestError.timeout("cube did not listen again")
    }

    @Test func aPinnedClientFollowsASignedRotationAndRefusesABadOne() throws {
        let fixture = try SecurityCube()
        let known = fixture.knownNodesPath()
        let first = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "--pin", "heart"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == fixture.nodeKey)

        // The operator rotates: a new key file and the statement signed by the old key.
        let newPath = fixture.keys.appendingPathComponent("node2.key").path
        let rotated = try ExecutableRun.run(Binaries.cube, ["keygen", "--rotate", fixture.nodeKeyPath, "--out", newPath])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newKey = try #require(PublicKey(base32: String(rotated.stdout.prefix(52))))
        let statement = try KeyRotation.read(from: newPath + ".rotation")
        #expect(statement.old == fixture.nodeKey && statement.new == newKey)

        // Without the statement the changed key is refused as before.
        fixture.cube.stop()
        var cube = try Self.restart(fixture, identity: newPath, rotation: nil)
        let bare = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(bare.status == 3 && bare.stderr.contains("announces no key rotation"), "\(bare.stderr)")
        cube.stop()

        // A statement signed by another key, or one past the grace period, is refused too.
        let impostor = IdentityKey.generate()
        let forged = fixture.keys.appendingPathComponent("forged.rotation").path
        try (KeyRotation.issue(from: impostor, to: newKey, issued: Int64(time(nil))).text + "\n")
            .write(toFile: forged, atomically: true, encoding: .utf8)
        cube = try Self.restart(fixture, identity: newPath, rotation: forged)
        let fake = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(fake.status == 3 && fake.stderr.contains("not from the pinned key"), "\(fake.stderr)")
        cube.stop()
        let old = try IdentityKey.read(from: fixture.nodeKeyPath)
        let stale = fixture.keys.appendingPathComponent("stale.rotation").path
        try (KeyRotation.issue(from: old, to: newKey, issued: Int64(time(nil)) - KeyRotation.graceSeconds - 60).text + "\n")
            .write(toFile: stale, atomically: true, encoding: .utf8)
        cube = try Self.restart(fixture, identity: newPath, rotation: stale)
        let late = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(late.status == 3 && late.stderr.contains("days ago"), "\(late.stderr)")
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == fixture.nodeKey)
        cube.stop()

        // The genuine statement: p7 re-pins and logs in; from then on the old key is refused.
        cube = try Self.restart(fixture, identity: newPath, rotation: newPath + ".rotation")
        let moved = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "whoami"])
        #expect(moved.status == 0 && moved.stdout.hasPrefix("remote-alice "), "\(moved.stderr)")
        #expect(moved.stderr.contains("rotated its key from \(fixture.nodeKey) to \(newKey)"), "\(moved.stderr)")
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == newKey)
        cube.stop()
        // Within a day of the statement's issued time the retired key is still accepted (a
        // rollback), without re-pinning.
        cube = try Self.restart(fixture, identity: fixture.nodeKeyPath, rotation: nil)
        // A client whose own grace is shorter (`--retired-grace`) refuses it already.
        let strict = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known,
                                     "--retired-grace", "0", "heart"])
        #expect(strict.status == 3 && strict.stderr.contains("changed") && !strict.stderr.contains("retired key"),
                "\(strict.stderr)")
        let badGrace = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--retired-grace", "-1", "heart"])
        #expect(badGrace.status == 2 && badGrace.stderr.contains("--retired-grace needs seconds"), "\(badGrace.stderr)")
        let back = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(back.status == 0 && back.stderr.contains("presented its retired key \(fixture.nodeKey)"), "\(back.stderr)")
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == newKey)
        cube.stop()

        // A second rotation whose statement is older than a day (but within its 30 days): p7
        // follows it, and the key it retired is refused at once, its grace being over.
        let thirdPath = fixture.keys.appendingPathComponent("node3.key").path
        let third = IdentityKey.generate()
        try third.write(to: thirdPath, overwrite: false)
        let second = fixture.keys.appendingPathComponent("second.rotation").path
        try (KeyRotation.issue(from: try IdentityKey.read(from: newPath), to: third.publicKey,
                               issued: Int64(time(nil)) - KeyRotation.retiredGraceSeconds - 60).text + "\n")
            .write(toFile: second, atomically: true, encoding: .utf8)
        cube = try Self.restart(fixture, identity: thirdPath, rotation: second)
        let followed = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(followed.status == 0 && followed.stderr.contains("rotated its key from \(newKey) to \(third.publicKey)"),
                "\(followed.stderr)")
        cube.stop()
        cube = try Self.restart(fixture, identity: newPath, rotation: nil)
        let afterGrace = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--known-nodes", known, "heart"])
        #expect(afterGrace.status == 3 && afterGrace.stderr.contains("changed") && !afterGrace.stderr.contains("retired key"),
                "\(afterGrace.stderr)")
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == third.publicKey)
        cube.stop()
    }
}
