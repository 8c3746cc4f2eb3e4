import CubeTestSupport
import Foundation
import Synchronization
import Testing

/// Runs the built `p7` executable against the fake server.
@Suite struct P7BinaryTests {
    /// The `p7` binary next to the test bundle, or in `.build-client/debug`.
    static let binary: URL? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        let directory = bundle.deletingLastPathComponent()
        var candidates = [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("p7") }
        candidates.append(URL(fileURLWithPath: ".build-client/debug/p7"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ExecutableRun {
        guard let binary else {
            Issue.record("p7 binary not found next to the test bundle or in .build-client/debug")
            throw FakeServer.Failure.script("p7 binary not found")
        }
        return try ExecutableRun.run(binary.path, arguments, environment: environment)
    }

    /// A server that checks the login and `(<id>)<expected command>`, then answers `reply(id)`.
    static func server(
        expectingUser user: String = "unix-tester", command: String,
        reply: @escaping @Sendable (String) -> String
    ) throws -> FakeServer {
        try FakeServer { peer in
            try peer.sendBanner()
            let login = try peer.acceptUnixLogin()
            guard login == Array("select unix\nauth \(user)\n".utf8) else {
                throw FakeServer.Failure.script("unexpected login \(String(decoding: login, as: UTF8.self))")
            }
            // p7 first asks for byte counts (docs/protocol.md §5); this server agrees, as our cube does.
            let lines = String(decoding: try peer.readLines(2), as: UTF8.self).split(separator: "\n")
            guard lines.count == 2, lines[0] == "(10)size-unit bytes" else {
                throw FakeServer.Failure.script("unexpected size-unit request \(lines)")
            }
            try peer.write("(10)TRUE size unit bytes\n")
            let line = String(lines[1]) + "\n"
            guard line.hasPrefix("("), let close = line.firstIndex(of: ")"),
                  line[line.index(after: close)...] == command + "\n" else {
                throw FakeServer.Failure.script("unexpected command \(line)")
            }
            let id = String(line[line.index(after: line.startIndex)..<close])
            try peer.write(reply(id))
        }
    }

    private static let env = ["PROTOCOL_7_BIN_P7_USER": "tester"]

    @Test func trueReplyPrintsTextAndExitsZero() throws {
        let server = try Self.server(command: "calc.heart") { id in "(\(id))TRUE beating\n" }
        let run = try Self.run(["--socket", server.path, "calc.heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 0)
        #expect(run.stdout == "beating\n")
    }

    @Test func falseReplyExitsOne() throws {
        let server = try Self.server(command: "nosuch.heart") { id in "(\(id))FALSE client not present\n" }
        let environment = Self.env.merging(["PROTOCOL_7_UNIX_PATH": server.path]) { $1 }
        let run = try Self.run(["nosuch.heart"], environment: environment)
        try server.finish()
        #expect(run.status == 1)
        #expect(run.stdout == "client not present\n")
    }

    @Test func argumentsAreJoinedAndOtherIdsIgnored() throws {
        let server = try Self.server(expectingUser: "unix-alice", command: "calc.add 1 -2  x") { id in
            "(999)TRUE not mine\n(\(id))WAIT working\n(\(id))TRUE -1\n"
        }
        let run = try Self.run(["--socket=\(server.path)", "calc.add", "1", "-2 ", "x"],
                               environment: ["USER": "alice", "PROTOCOL_7_BIN_P7_USER": ""])
        try server.finish()
        #expect(run.status == 0)
        #expect(run.stdout == "-1\n")
        #expect(run.stderr.contains("working"))
    }

    @Test func sizeAndStreamBodiesAreWrittenRaw() throws {
        let server = try Self.server(command: "calc.table") { id in
            "(\(id))STRM 3\nab\n(\(id))SIZE 0012\nhello world\n"
        }
        let run = try Self.run(["-s", server.path, "calc.table"], environment: Self.env)
        try server.finish()
        #expect(run.status == 0)
        #expect(run.stdout == "ab\nhello world\n")
    }

    /// A command routed to p7's own user carries the cube's id, not p7's: it is skipped. The
    /// reply's text is printed exactly as sent, blanks included (the cube's relay trims them,
    /// an original zenka's reply through an original cube may keep them).
    @Test func commandsForTheUserAreSkippedAndTextIsKeptByteForByte() throws {
        let server = try Self.server(command: "calc.heart") { id in
            "(204573)heart\n(204574)calc.put+\nx: y\n\nbody\n.\n(\(id))TRUE  two  spaces \n"
        }
        let run = try Self.run(["--socket", server.path, "calc.heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 0)
        #expect(run.stdout == " two  spaces \n")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    /// A line that is no reply, with p7's id or none, is shown as it came and ends the command.
    @Test func aLineThatIsNoReplyIsShownAsItCame() throws {
        let sentID = Mutex("")
        let server = try Self.server(command: "heart") { id in
            sentID.withLock { $0 = id }
            return "(\(id)) hello there\n"
        }
        let run = try Self.run(["--socket", server.path, "heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 4)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "p7: malformed reply: (\(sentID.withLock { $0 })) hello there\n")
    }

    @Test func terminateBeforeTheReplyExitsFour() throws {
        let server = try Self.server(command: "heart") { _ in "!TERM! shutting down\n" }
        let run = try Self.run(["--socket", server.path, "heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 4)
        #expect(run.stderr.contains("shutting down"))
    }

    @Test func endOfFileBeforeTheReplyExitsFour() throws {
        let server = try Self.server(command: "heart") { id in "(\(id))WAIT hold on\n" }
        let run = try Self.run(["--socket", server.path, "heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 4)
    }

    @Test func malformedReplyExitsFour() throws {
        let server = try Self.server(command: "heart") { id in "(\(id))BOGUS x\n" }
        let run = try Self.run(["--socket", server.path, "heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 4)
    }

    @Test func connectFailureExitsThree() throws {
        let run = try Self.run(["--socket", "/tmp/p7-client-test-missing.sock", "heart"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("/tmp/p7-client-test-missing.sock"))
    }

    @Test func rejectedLoginExitsThree() throws {
        let server = try FakeServer { peer in
            try peer.sendBanner()
            _ = try peer.readOnce()
            try peer.write("TRUE continue\nAUTH_ERROR `>:|\n")
        }
        let run = try Self.run(["--socket", server.path, "heart"], environment: Self.env)
        try server.finish()
        #expect(run.status == 3)
        #expect(run.stderr.contains("AUTH_ERROR"))
    }

    @Test func helpAndUsageErrors() throws {
        let help = try Self.run(["--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: p7"))
        // No command opens the terminal (docs/p7.md): here it cannot connect.
        let none = try Self.run(["--socket", "/nonexistent/cube.sock"])
        #expect(none.status == 3 && none.stderr.contains("/nonexistent/cube.sock"))
        // An empty command (`p7 "$CMD"` with CMD unset) is a usage error, not the terminal.
        for words in [["shell", "extra"], ["watch"], ["watch", "a", "b"], ["top", "--bogus"], ["top", "--interval", "0"], [""], [" "], ["echo.echo", "a\nb"]] {
            let wrong = try Self.run(["--socket", "/nonexistent/cube.sock"] + words)
            #expect(wrong.status == 2 && wrong.stderr.contains("usage: p7"), "\(words)")
        }
        let unknown = try Self.run(["--frobnicate", "heart"])
        #expect(unknown.status == 2)
    }
}
