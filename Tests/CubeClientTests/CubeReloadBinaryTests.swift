import CubeTestSupport
import Foundation
import Testing

/// `cube reload` against a fake cube: it prints the answer to its own command only (a hostile
/// second reader: a stray `(10)TRUE bytes` was printed as the reload's answer, exit 0).
@Suite struct CubeReloadBinaryTests {
    static let binary: URL? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("cube") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `cube reload` against a fake cube that logs it in, reads its command and answers
    /// `answer`.
    private func reload(answering answer: String) throws -> ExecutableRun {
        let server = try FakeServer { peer in
            try peer.sendBanner()
            try peer.acceptUnixLogin()
            _ = try peer.readOnce()
            try peer.write(answer)
        }
        let run = try ExecutableRun.run(try #require(Self.binary).path, ["reload", "--socket", server.path, "--user", "admin"])
        try server.finish()
        return run
    }

    @Test(.enabled(if: binary != nil, "the cube binary is not built next to the tests"))
    func otherLinesBeforeTheAnswerAreNotTakenForIt() throws {
        let run = try reload(answering: "(10)TRUE bytes\n\u{1B}]0;x\u{07}\n(1)TRUE no changes\n")
        #expect(run.status == 0)
        #expect(run.stdout == "no changes\n")
    }

    @Test(.enabled(if: binary != nil, "the cube binary is not built next to the tests"))
    func aRefusalQuotingControlCharactersIsPrintedWithout() throws {
        let run = try reload(answering: "(1)FALSE refused \u{1B}[2J\u{1B}]52;c;AAAA\u{07}\n")
        #expect(run.status == 1)
        #expect(!run.stderr.contains("\u{1B}"))
        #expect(run.stderr.contains("refused ?[2J?]52;c;AAAA?"))
    }
}
