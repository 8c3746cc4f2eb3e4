import CubeClient
import CubeTestSupport
import CubeZenka
import Foundation
import Testing

/// `callout` logins end to end (docs/protocol.md §3.7): a real cube hands user names and
/// credentials to a shell-script checker; `p7 --callout` and the SDK's login plan log in
/// through it over the unix socket and over TCP (`auth.callout.tcp = yes`).
@Suite(.serialized) struct CalloutLiveTests {
    /// Accepts `alice` with `open sesame` and the zenka `echoer` with `z-secret`; `sleepy`
    /// sleeps past the timeout, `broken` exits 3, everything else is refused.
    static let checker = """
        #!/bin/sh
        read -r credential
        case "$1" in
        alice) [ "$credential" = "open sesame" ] && exit 0 ;;
        echoer) [ "$credential" = "z-secret" ] && exit 0 ;;
        sleepy) sleep 30 ;;
        broken) exit 3 ;;
        esac
        exit 1
        """

    final class Cube: @unchecked Sendable {
        let cube: CubeProcess
        let port: Int
        var tcp: String { "tcp:127.0.0.1:\(port)" }

        init() throws {
            port = try FreePort.next()
            let program = NSTemporaryDirectory() + "callout-check-\(UUID().uuidString.prefix(8))"
            try CalloutLiveTests.checker.write(toFile: program, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
            cube = try CubeProcess(profile: .zenka, extraConfiguration: """
                auth.methods = unix callout
                auth.callout.program = \(program)
                auth.callout.timeout = 1
                auth.callout.tcp = yes
                socket.tcp.listen = 127.0.0.1:\(port)
                access.cmd.usr.alice = **
                """)
            // The listener comes up with the unix socket; wait until it answers.
            let deadline = Date().addingTimeInterval(10)
            while (try? P7Connection(address: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(1))) == nil {
                guard Date() < deadline else { throw LiveTestError.timeout("no TCP listener on \(port)") }
                usleep(20_000)
            }
        }

        /// `P7_CREDENTIAL=<credential> p7 <address> --callout <user> <command>`.
        func p7(_ address: [String], user: String, credential: String?, _ command: [String]) throws -> ExecutableRun {
            try ExecutableRun.run(Binaries.p7, address + ["--callout", user] + command,
                                  environment: credential.map { ["P7_CREDENTIAL": $0] } ?? [:])
        }

        deinit { cube.stop() }
    }

    @Test func p7LogsInThroughTheCheckerOverUnixAndTCP() throws {
        let cube = try Cube()
        for address in [["--socket", cube.cube.socketPath], ["--connect", cube.tcp]] {
            let good = try cube.p7(address, user: "alice", credential: "open sesame", ["whoami"])
            #expect(good.status == 0, "\(address): \(good.stderr)")
            #expect(good.stdout.hasPrefix("alice "), "\(address): \(good.stdout)")
            let wrong = try cube.p7(address, user: "alice", credential: "open sesame!", ["whoami"])
            #expect(wrong.status == 3)
            #expect(wrong.stderr.contains("AUTH_ERROR"), "\(wrong.stderr)")
            let other = try cube.p7(address, user: "mallory", credential: "open sesame", ["whoami"])
            #expect(other.status == 3)
            let broken = try cube.p7(address, user: "broken", credential: "x", ["whoami"])
            #expect(broken.status == 3)
            #expect(broken.stderr.contains("AUTH_ERROR"), "\(broken.stderr)")
            let started = Date()
            let sleepy = try cube.p7(address, user: "sleepy", credential: "x", ["whoami"])
            #expect(sleepy.status == 3)
            #expect(sleepy.stderr.contains("AUTH_ERROR"), "\(sleepy.stderr)")
            // The checker would sleep 30 s; the cube gives up after auth.callout.timeout = 1.
            #expect(Date().timeIntervalSince(started) < 15)
        }
        let missing = try cube.p7(["--socket", cube.cube.socketPath], user: "alice", credential: nil, ["whoami"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("P7_CREDENTIAL"))
        // The credential reached the checker on its stdin only: not in the cube's log.
        #expect(!cube.cube.standardError().contains("sesame"))
    }

    @Test func p7RefusesCalloutCombinationsThatMakeNoSense() throws {
        for arguments in [["--connect", "tcp:127.0.0.1:9", "whoami"], ["--callout", "alice", "--key", "/k", "whoami"],
                          ["--callout", "", "whoami"]] {
            let run = try ExecutableRun.run(Binaries.p7, arguments, environment: ["P7_CREDENTIAL": "x"])
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
        }
    }

    @Test func theSDKLogsInWithCalloutOverUnixAndTCP() async throws {
        let cube = try Cube()
        for address in [ClientAddress.unix(cube.cube.socketPath), .tcp(host: "127.0.0.1", port: cube.port)] {
            var settings = ZenkaSettings(socketPath: cube.cube.socketPath, name: "echoer", unixUser: "")
            settings.address = address
            settings.calloutUser = "echoer"
            settings.credential = "z-secret"
            let zenka = Zenka(settings: settings)
            zenka.command("echo", help: "echo <text>") { call in .true(call.args) }
            let task = Task { try await zenka.run() }
            let answered = try await eventually(seconds: 10) {
                let run = try cube.p7(["--connect", cube.tcp], user: "alice", credential: "open sesame",
                                      ["echoer.echo", "over", "\(address)"])
                return run.status == 0 && run.stdout == "over \(address)\n"
            }
            #expect(answered, "the zenka logged in over \(address) did not answer")
            zenka.stop()
            task.cancel()
            try await task.value
            // Gone before the next round logs in under the same name.
            let gone = try await eventually(seconds: 10) {
                try cube.p7(["--connect", cube.tcp], user: "alice", credential: "open sesame", ["present", "echoer"]).status != 0
            }
            #expect(gone)
        }
    }

    @Test func theSDKTakesCalloutSettingsFromTheEnvironment() {
        let settings = ZenkaSettings.fromEnvironment(defaultName: "z") { variable in
            [ZenkaSettings.calloutUserVariable: "echoer", ZenkaSettings.credentialVariable: "z-secret",
             ZenkaSettings.connectVariable: "tcp:127.0.0.1:7070"][variable]
        }
        #expect(settings.calloutUser == "echoer")
        #expect(settings.credential == "z-secret")
        #expect(settings.connectAddress == .tcp(host: "127.0.0.1", port: 7070))
    }
}
