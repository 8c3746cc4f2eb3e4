import CubeTestSupport
import Foundation
import Testing

/// `cube check-config` on configurations an operator gets slightly wrong (docs/configuration.md):
/// each is read as `cube run` would read it, or refused with the file and why.
@Suite struct CheckConfigTests {
    /// A fresh directory for one test's configuration; removed by `defer` in each test.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("checkconf-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func check(_ path: String) throws -> ExecutableRun {
        try ExecutableRun.run(Binaries.cube, ["check-config", "--config", path])
    }

    /// A configuration kept under a directory called `zenki` (`/etc/zenki/prod/`) is a
    /// configuration, not a zenka's files: before, its `node.name` was ignored and the cube ran
    /// on built-in defaults.
    @Test func aConfigurationUnderADirectoryCalledZenkiIsRead() throws {
        let top = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: top) }
        let prod = top + "/zenki/prod"
        try Self.write("node.name = prod\n", to: prod + "/cube.conf")
        try Self.write("program = /bin/cat\nmode = stdio\n", to: prod + "/zenki/cat/zenka.conf")
        for path in [prod, prod + "/cube.conf"] {
            let run = try Self.check(path)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("ok, node 'prod'"), "\(path): \(run.stdout)")
        }
    }

    /// A byte order mark before the first key is skipped (it made `invalid key 'node.name'`
    /// with the mark invisible in the message).
    @Test func aByteOrderMarkIsSkipped() throws {
        let top = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: top) }
        try Self.write("\u{FEFF}node.name = marked\n", to: top + "/cube.conf")
        let run = try Self.check(top)
        #expect(run.status == 0 && run.stdout.contains("ok, node 'marked'"), "\(run.stdout) \(run.stderr)")
    }

    /// A zenka's directory whose name is no zenka name, and a directory inside a zenka's
    /// directory, are refused by what they are (before: `unknown zenka key 'Z.program'`, and
    /// `cannot read file`).
    @Test func aZenkaDirectoryNamedBadlyOrHoldingADirectoryIsRefusedWithWhy() throws {
        let top = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: top) }
        try Self.write("node.name = named\n", to: top + "/cube.conf")
        try Self.write("program = /bin/cat\nmode = stdio\n", to: top + "/zenki/My.Z/zenka.conf")
        let dotted = try Self.check(top)
        #expect(dotted.status == 1)
        #expect(dotted.stderr.contains("zenki/My.Z/zenka.conf:0: invalid zenka name 'My.Z'"), "\(dotted.stderr)")
        try FileManager.default.moveItem(atPath: top + "/zenki/My.Z", toPath: top + "/zenki/cat")
        try FileManager.default.createDirectory(atPath: top + "/zenki/cat/lib", withIntermediateDirectories: true)
        let nested = try Self.check(top)
        #expect(nested.status == 1)
        #expect(nested.stderr.contains("zenki/cat/lib:0: a directory: a zenka's directory holds files only"), "\(nested.stderr)")
        try FileManager.default.removeItem(atPath: top + "/zenki/cat/lib")
        let fixed = try Self.check(top)
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    /// `cube run` would never start zenki that depend on each other; check-config says so.
    @Test func aCircleOfDependsIsRefused() throws {
        let top = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: top) }
        try Self.write("node.name = circle\n", to: top + "/cube.conf")
        try Self.write("program = /bin/cat\nmode = stdio\ndepends = b\n", to: top + "/zenki/a/zenka.conf")
        try Self.write("program = /bin/cat\nmode = stdio\ndepends = c\n", to: top + "/zenki/b/zenka.conf")
        try Self.write("program = /bin/cat\nmode = stdio\ndepends = a\n", to: top + "/zenki/c/zenka.conf")
        let run = try Self.check(top)
        #expect(run.status == 1)
        #expect(run.stderr.contains("zenki/a/zenka.conf:3: zenki depend on each other in a circle: a -> b -> c -> a"),
                "\(run.stderr)")
    }

    /// Signer keys are values, not key files: check-config refuses what `cube run` refuses
    /// (before, it said ok, and only a `run` with an identity key saw them).
    @Test func aSignerThatIsNoKeyIsRefused() throws {
        let top = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: top) }
        try Self.write("node.name = signed\nauth.c25519.trusted-signers = notakey\n", to: top + "/cube.conf")
        let bad = try Self.check(top)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("auth.c25519.trusted-signers:0: not a base32 public key: notakey"), "\(bad.stderr)")
        try Self.write("node.name = signed\nauth.c25519.signer.hq.names = remote-*\n", to: top + "/cube.conf")
        let keyless = try Self.check(top)
        #expect(keyless.status == 1)
        #expect(keyless.stderr.contains("auth.c25519.signer.hq.key:0: missing: the signer's public key"), "\(keyless.stderr)")
    }
}
