import CubeCore
import Foundation
import Testing

@Suite struct TranscriptTests {
    @Test(arguments: Transcript.all())
    func routerMatchesTranscript(_ transcript: Transcript) throws {
        var runner = try TranscriptRunner(transcript)
        try runner.run(transcript.text)
        runner.finish()
    }

    /// Every file of Tests/CubeCoreTests/Transcripts runs above: none is missing from the
    /// bundle, unreadable, or named so that `Transcript.all()` passes it over.
    @Test func everyTranscriptFileRuns() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.count >= 40)
        #expect(files.allSatisfy { $0.hasSuffix(".txt") }, "a transcript not named .txt never runs")
        #expect(Transcript.all().map(\.name) == files)
        for transcript in Transcript.all() {
            #expect(transcript.text.contains("\nconnect ") || transcript.text.hasPrefix("connect "), "\(transcript.name) connects nobody")
        }
    }
}
