import CubeCore
import CubeRuntime
import Foundation
import Testing

/// The `callout` checker contract (docs/protocol.md §3.7) with real shell-script programs:
/// exit 0 accepts, 1 refuses, anything else or a timeout refuses; the credential arrives on
/// stdin only.
@Suite struct CalloutProgramTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "callout-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes an executable `/bin/sh` script and returns its path.
    func script(_ name: String, _ body: String) throws -> String {
        let path = directory + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func check(_ program: String, user: String = "alice", secret: String, timeout: Int = 5) -> CheckVerdict {
        CalloutProgram.run(CredentialCheck(method: "callout", user: user, secret: Array(secret.utf8),
                                           reference: program, timeoutSeconds: timeout))
    }

    @Test func acceptsOneUserAndPasswordAndRefusesOthers() throws {
        let checker = try script("check", """
            read -r credential
            [ "$1" = alice ] && [ "$credential" = "open sesame" ] && exit 0
            exit 1
            """)
        #expect(check(checker, secret: "open sesame") == .accepted)
        #expect(check(checker, secret: "open sesame!") == .refused(reason: "refused by the callout program"))
        #expect(check(checker, user: "bob", secret: "open sesame") == .refused(reason: "refused by the callout program"))
    }

    @Test func theCredentialIsNeitherInArgvNorInTheEnvironment() throws {
        let spy = try script("spy", """
            read -r credential
            printf '%s\\n' "$@" > \(directory)/argv
            env > \(directory)/env
            printf '%s' "$credential" > \(directory)/stdin
            exit 0
            """)
        #expect(check(spy, secret: "hunter2 x") == .accepted)
        let argv = try String(contentsOfFile: directory + "/argv", encoding: .utf8)
        let environment = try String(contentsOfFile: directory + "/env", encoding: .utf8)
        #expect(argv == "alice\n")
        #expect(!environment.contains("hunter2"))
        #expect(environment.contains("P7_AUTH_USER=alice"))
        #expect(try String(contentsOfFile: directory + "/stdin", encoding: .utf8) == "hunter2 x")
    }

    @Test func aProgramThatSleepsPastTheTimeoutIsKilledWithItsChildren() throws {
        let sleeper = try script("sleeper", """
            sleep 30 &
            echo $! > \(directory)/child
            wait
            exit 0
            """)
        let started = ContinuousClock.now
        #expect(check(sleeper, secret: "x", timeout: 1) == .refused(reason: "callout program timed out after 1 s"))
        // Generous bound: the timeout is 1 s, the program would sleep 30 s.
        #expect(ContinuousClock.now - started < .seconds(10))
        let child = try String(contentsOfFile: directory + "/child", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The background child was killed with the group: gone, or a zombie awaiting its reaper.
        var alive = true
        for _ in 0..<100 where alive {
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?
                .split(separator: ")").last?.split(separator: " ").first
            alive = state != nil && state != "Z"
            if alive { usleep(20_000) }
        }
        #expect(!alive, "the program's child \(child) survived the timeout")
    }

    @Test func otherExitsSignalsAndMissingProgramsRefuse() throws {
        #expect(check(try script("three", "exit 3"), secret: "x") == .refused(reason: "callout program failed (exit status 3)"))
        #expect(check(try script("killed", "kill -9 $$"), secret: "x") == .refused(reason: "callout program killed by signal 9"))
        guard case .refused(let reason) = check(directory + "/missing", secret: "x") else {
            Issue.record("a missing program accepted")
            return
        }
        #expect(reason.hasPrefix("callout program not started"))
    }

    @Test func aProgramThatNeverReadsItsInputStillDecides() throws {
        // The cube must not hang or die of SIGPIPE when the program exits without reading.
        #expect(check(try script("deaf", "exit 0"), secret: String(repeating: "x", count: 1000)) == .accepted)
    }
}
