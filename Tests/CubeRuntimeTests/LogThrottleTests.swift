import CubeRuntime
import Testing

@Suite struct LogThrottleTests {
    @Test func atMostNLinesPerOriginAndSecondThenASummary() {
        var throttle = LogThrottle(perSecond: 2)
        let second: UInt64 = 1_000_000_000
        let start = 10 * second
        #expect(throttle.admit("uid:1", now: start).0)
        #expect(throttle.admit("uid:1", now: start + 1).0)
        #expect(!throttle.admit("uid:1", now: start + 2).0)
        #expect(!throttle.admit("uid:1", now: start + 3).0)
        // Another origin has its own share.
        #expect(throttle.admit("ip:10.0.0.1", now: start + 4).0)
        #expect(throttle.flush(now: start + second / 2).isEmpty)
        let summary = throttle.flush(now: start + second + 5)
        #expect(summary.count == 1)
        #expect(summary.first?.origin == "uid:1")
        #expect(summary.first?.count == 2)
        #expect(throttle.admit("uid:1", now: start + second + 6).0)
    }
}
