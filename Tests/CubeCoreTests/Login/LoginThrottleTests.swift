import CubeCore
import Testing

/// The login throttle alone (docs/protocol.md §3.6): failures of the last minute and undecided
/// checks count together per origin; waiting sessions are bounded per origin.
@Suite struct LoginThrottleTests {
    static let second: UInt64 = 1_000_000_000
    static let start = 100 * second
    let alice = Origin.uid(1000)
    let bob = Origin.address("10.0.0.2")

    @Test func failuresAndUndecidedChecksCountTogetherPerOrigin() {
        var throttle = LoginThrottle()
        throttle.recordFailure(of: alice, now: Self.start)
        throttle.checkStarted(alice)
        let answer1 = throttle.isThrottled(alice, limit: 3, now: Self.start)
        #expect(!answer1)
        throttle.checkStarted(alice)
        let answer2 = throttle.isThrottled(alice, limit: 3, now: Self.start)
        #expect(answer2)
        let answer3 = throttle.isThrottled(bob, limit: 3, now: Self.start)
        #expect(!answer3)
        throttle.checkEnded(alice)
        let answer4 = throttle.isThrottled(alice, limit: 3, now: Self.start)
        #expect(!answer4)
        // Ending more checks than started never goes below zero.
        throttle.checkEnded(alice)
        throttle.checkEnded(alice)
        let answer5 = throttle.isThrottled(alice, limit: 2, now: Self.start)
        #expect(!answer5)
    }

    @Test func failuresAgeOutAfterAMinute() {
        var throttle = LoginThrottle()
        for _ in 0..<3 { throttle.recordFailure(of: bob, now: Self.start) }
        let answer6 = throttle.isThrottled(bob, limit: 3, now: Self.start + 59 * Self.second)
        #expect(answer6)
        let answer7 = throttle.isThrottled(bob, limit: 3, now: Self.start + 60 * Self.second)
        #expect(!answer7)
        throttle.recordFailure(of: alice, now: Self.start)
        #expect(throttle.failureOriginCount == 1)
        throttle.forgetOld(now: Self.start + 61 * Self.second)
        #expect(throttle.failureOriginCount == 0)
    }

    @Test func waitingSessionsAreBoundedPerOrigin() {
        var throttle = LoginThrottle()
        let answer8 = throttle.sessionWaits(alice, limit: 2)
        #expect(answer8)
        let answer9 = throttle.sessionWaits(alice, limit: 2)
        #expect(answer9)
        let answer10 = throttle.sessionWaits(alice, limit: 2)
        #expect(!answer10)
        let answer11 = throttle.sessionWaits(bob, limit: 2)
        #expect(answer11)
        throttle.sessionStoppedWaiting(alice)
        let answer12 = throttle.sessionWaits(alice, limit: 2)
        #expect(answer12)
    }
}
