import CubeTestSupport
import Foundation
import Testing

/// The p7 terminal over TCP with a `c25519` login (docs/p7.md "The terminal"), in a real
/// pseudo-terminal against a real cube.
@Suite(.serialized) struct TerminalTCPLiveTests {
    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test(.enabled(if: hasPython, "needs /usr/bin/python3 for its pty module"))
    func terminalLogsInWithAKeyOverTCP() throws {
        let fixture = try SecurityCube()
        defer { fixture.stop() }
        let steps = [
            "e:> ",
            // Completion works on the encrypted session too: a local command the user may run.
            "s:whoa\\t", "e:mi ", "s:\\r", "e:TRUE remote-alice ", "e:> ",
            // `exit` rather than Ctrl-D: a ^D that reaches the terminal before libedit has
            // switched it back to raw mode after the reply was lost once (a CI run).
            "s:exit\\r",
        ]
        let (status, transcript) = try TerminalDriver.run(
            Binaries.p7, ["--connect", fixture.address, "--key", fixture.clientKeyPath,
                          "--known-nodes", fixture.knownNodesPath(), "--pin"],
            steps: steps, environment: ["HOME": fixture.keys.appendingPathComponent("home").path])
        #expect(status == 0, "\(transcript)")
        #expect(transcript.contains("[driver] exit 0"), "\(transcript)")
        #expect(transcript.contains("p7 terminal on "), "\(transcript)")
    }
}
