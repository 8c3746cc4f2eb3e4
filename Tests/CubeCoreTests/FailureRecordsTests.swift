@testable import CubeCore
import Testing

/// Failed logins are remembered per origin for the throttling window, for at most
/// ``LoginThrottle/maximumFailureOrigins`` origins (docs/security.md "Login throttling").
@Suite struct FailureRecordsTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    @Test func manyAddressesCannotGrowTheRecordsPastTheirBound() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 9, now: now)
        for index in 0..<10_000 { router.recordFailure(of: .address("127.\(index / 256).\(index % 256).1"), now: now) }
        #expect(router.throttle.failureOriginCount == LoginThrottle.maximumFailureOrigins)
        // An origin still remembered keeps counting: 20 failures throttle it.
        let origin = Origin.address("10.0.0.1")
        for _ in 0..<20 { router.recordFailure(of: origin, now: now) }
        #expect(router.throttle.failureOriginCount == LoginThrottle.maximumFailureOrigins)
        let throttled = router.isThrottled(origin, now: now)
        let other = router.isThrottled(.address("10.0.0.2"), now: now)
        #expect(throttled)
        #expect(!other)
    }

    /// A uid's failures are never what makes room: a local user failed 20 times, then failed
    /// from 30,000 loopback addresses over TCP, and its uid had a fresh set of password checks
    /// (a hostile second reader).
    @Test func failuresFromManyAddressesNeverEvictAUidsCount() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 9, now: now)
        let uid = Origin.uid(1003)
        for _ in 0..<20 { router.recordFailure(of: uid, now: now) }
        for index in 0..<30_000 { router.recordFailure(of: .address("127.\(index / 65_536).\(index / 256 % 256).\(index % 256)"), now: now) }
        let throttled = router.isThrottled(uid, now: now)
        #expect(throttled)
        #expect(router.throttle.failureOriginCount <= LoginThrottle.maximumFailureOrigins + 1)
    }
}
