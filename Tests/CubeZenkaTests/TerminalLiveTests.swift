import CubeTestSupport
import Foundation
import Testing

/// `p7` without a command, the interactive terminal, in a real pseudo-terminal against a real
/// cube with the `calc` sample zenka (docs/p7.md "The terminal").
@Suite(.serialized) struct TerminalLiveTests {
    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test(.enabled(if: hasPython, "needs /usr/bin/python3 for its pty module"))
    func completesTargetsAndCommandsAndRunsThem() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let calc = try ZenkaProcess(["calc"], name: "calc", cube: cube)
        try await calc.waitUntilPresent("calc", client: client)
        let home = cube.directory.appendingPathComponent("home").path
        let steps = [
            "e:testcube> ",
            // TAB completes the target, then the target's command from its `commands` table
            // (libedit redraws: `cal`, then `c.` at the cursor; `ev`, then `al `).
            "s:cal\\t", "e:c.",
            "s:ev\\t", "e:al ",
            "s:2*(3+4)\\r", "e:TRUE 14\r\n", "e:testcube> ",
            // A SIZE table is shown as text.
            "s:list zenki\\r", "e:online", "e:testcube> ",
            // select sets a base path: the prompt shows it, completion and commands are relative.
            "s:select calc\\r", "e:TRUE", "e:testcube calc> ",
            "s:ev\\t", "e:al ", "s:1+2\\r", "e:TRUE 3\r\n", "e:testcube calc> ",
            "s:..whoami\\r", "e:TRUE unix-", "e:testcube calc> ",
            "s:..\\r", "e:testcube> ",
            // History: up-arrow brings back the last line.
            "s:heart\\r", "e:TRUE beating", "e:testcube> ",
            "s:\\x1b[A\\r", "e:TRUE beating", "e:testcube> ",
            // A moment for libedit to be reading again (see TerminalTCPLiveTests), then Ctrl-D.
            "w:0.3", "s:\\x04",
        ]
        let (status, transcript) = try await offPool {
            try TerminalDriver.run(Binaries.p7, ["--socket", cube.socketPath], steps: steps, environment: ["HOME": home])
        }
        #expect(status == 0, "\(transcript)")
        #expect(transcript.contains("[driver] exit 0"), "\(transcript)")
        let history = try String(contentsOfFile: home + "/.config/protocol-7/p7-history", encoding: .utf8)
        #expect(history.contains("calc.eval"))  // libedit writes spaces as \\040
        calc.stop()
        cube.stop()
    }

    @Test(.enabled(if: hasPython, "needs /usr/bin/python3 for its pty module"))
    func ctrlCAbandonsAWaitingCommand() async throws {
        let cube = try CubeProcess(profile: .zenka)
        // A session that takes commands and never answers.
        let silent = try RawSocket(path: cube.socketPath)
        defer { silent.close() }
        #expect(silent.loginUnix("unix-" + UnixUserName.current))
        silent.send("whoami\n")
        let sid = try #require(silent.readLine().split(separator: " ").last.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let steps = [
            "e:testcube> ",
            // 2 s for p7 to send the command before Ctrl-C: sooner, under load, the Ctrl-C can
            // reach a prompt that has not sent it yet, and only clears the line.
            "s:\(sid).never answers\\r", "w:2", "s:\\x03", "e:^C abandoned", "w:1",
            // The session goes on: the next command gets its own reply.
            "s:heart\\r", "e:TRUE beating", "e:testcube> ",
            // Ctrl-C at the prompt only clears the line. A moment first: a ^C typed while the
            // prompt is being printed, before libedit reads the terminal raw, is lost (as ^D was).
            "w:0.3", "s:half typed\\x03", "e:testcube> ", "s:name\\r", "e:TRUE testcube", "e:testcube> ",
            "s:exit\\r",
        ]
        let home = cube.directory.appendingPathComponent("home").path
        let (status, transcript) = try await offPool {
            try TerminalDriver.run(Binaries.p7, ["--socket", cube.socketPath], steps: steps, environment: ["HOME": home])
        }
        #expect(status == 0, "\(transcript)")
        #expect(transcript.contains("[driver] exit 0"), "\(transcript)")
        cube.stop()
    }
}
