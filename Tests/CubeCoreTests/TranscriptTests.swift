import CubeCore
import Testing

@Suite struct TranscriptTests {
    @Test(arguments: Transcript.all())
    func routerMatchesTranscript(_ transcript: Transcript) throws {
        var runner = try TranscriptRunner(transcript)
        try runner.run(transcript.text)
        runner.finish()
    }

    @Test func transcriptsArePresent() {
        #expect(Transcript.all().count >= 5)
    }
}
