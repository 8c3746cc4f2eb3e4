import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Refusals in the cube's log and the client's explanation of a refused login
/// (docs/security.md "Logs").
@Suite(.serialized) struct LogsLiveTests {
    @Test func aFloodOfFailedLoginsIsLoggedAtMostFiveTimesASecondWithASummary() throws {
        let cube = try CubeProcess(extraConfiguration: "limits.login-failures = 1000", arguments: ["--log-level", "notice"])
        defer { cube.stop() }
        for _ in 0..<30 {
            let intruder = try RawSocket(path: cube.socketPath)
            _ = intruder.read(count: 32)
            intruder.send("select unix\nauth unix-nobody\n")
            _ = intruder.read(until: ">:|\n", timeout: 5)
        }
        // The summary follows within two seconds (the hub's once-a-second tick).
        usleep(2_500_000)
        let text = cube.standardError()
        let failures = text.split(separator: "\n").filter { $0.contains("login failed") }.count
        let suppressed = text.split(separator: "\n").filter { $0.contains("suppressed") }
        // 30 failures within a few seconds: at most 5 a second get their own line.
        #expect(failures >= 5 && failures < 30)
        #expect(!suppressed.isEmpty)
        #expect(suppressed.allSatisfy { $0.contains("uid=0") })
    }

    @Test func p7ExplainsARefusedUnixLoginWhoseNameIsNotTheUidsUser() throws {
        let cube = try CubeProcess()
        defer { cube.stop() }
        let run = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "whoami"],
                                        environment: ["USER": "nobody", "PROTOCOL_7_BIN_P7_USER": ""])
        #expect(run.status == 3)
        #expect(run.stderr.contains("login failed: AUTH_ERROR"))
        #expect(run.stderr.contains("p7 took the name 'nobody' from $USER, but uid \(getuid())"))
        // With the right name there is no hint, and the login works.
        let fine = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "whoami"],
                                         environment: ["USER": "root", "PROTOCOL_7_BIN_P7_USER": ""])
        #expect(fine.status == 0)
        #expect(!fine.stderr.contains("took the name"))
    }
}
