import CubeCore
import Testing

/// The dialler's pacing and its rotation question (docs/security.md, "Node key rotation").
@Suite struct LinkRedialTests {
    @Test func failuresBackOffDoublingUpToTheMaximum() {
        var pacing = LinkRedial(maximumDelay: .seconds(2))
        let waits = (0..<6).map { _ in pacing.next(after: .failed(unknownKey: false)) }
        #expect(waits == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2)])
        #expect(!pacing.asksRotation)
    }

    @Test func anUnknownKeyIsAskedForItsProofAtOnceThenBacksOffAsking() {
        var pacing = LinkRedial(maximumDelay: .seconds(30))
        for _ in 0..<4 { _ = pacing.next(after: .failed(unknownKey: false)) }
        #expect(pacing.delay == .seconds(4))
        // The peer came back with another key: the very next attempt asks, without waiting,
        // and the back-off is where it was.
        #expect(pacing.next(after: .failed(unknownKey: true)) == .zero)
        #expect(pacing.asksRotation)
        #expect(pacing.delay == .seconds(4))
        // Asked and still unknown (no proof, or a bad one): back off, and keep asking.
        #expect(pacing.next(after: .failed(unknownKey: true)) == .seconds(4))
        #expect(pacing.asksRotation)
        #expect(pacing.next(after: .failed(unknownKey: true)) == .seconds(8))
        // Any other failure stops asking (the peer may be another cube now).
        #expect(pacing.next(after: .failed(unknownKey: false)) == .seconds(16))
        #expect(!pacing.asksRotation)
        #expect(pacing.next(after: .failed(unknownKey: true)) == .zero)
    }

    @Test func aHealthyLinkStartsOverQuicklyAndAShortOneKeepsBackingOff() {
        var pacing = LinkRedial(maximumDelay: .seconds(30))
        for _ in 0..<3 { _ = pacing.next(after: .failed(unknownKey: false)) }
        #expect(pacing.next(after: .linked(lasted: .seconds(1))) == .seconds(2))
        #expect(pacing.next(after: .linked(lasted: .seconds(11))) == .milliseconds(250))
        #expect(pacing.next(after: .failed(unknownKey: false)) == .milliseconds(500))
        // A maximum below the first wait is raised to it.
        var tiny = LinkRedial(maximumDelay: .zero)
        #expect(tiny.next(after: .failed(unknownKey: false)) == .milliseconds(250))
        #expect(tiny.next(after: .failed(unknownKey: false)) == .milliseconds(250))
    }
}
