import CubeCore
import CubeRuntime
import Testing

/// ``DescriptorLimit``: `limits.sessions` against the open-file limit (docs/security.md "Logins
/// when the machine runs short").
@Suite struct DescriptorLimitTests {
    @Test func leavesTheReserveOverAndHalvesASmallLimit() {
        #expect(DescriptorLimit.sessions(10_000, limit: 65_536) == 10_000)
        #expect(DescriptorLimit.sessions(10_000, limit: 1_024) == 1_024 - 256)
        #expect(DescriptorLimit.sessions(10_000, limit: 513) == 257)
        #expect(DescriptorLimit.sessions(10_000, limit: 512) == 256)
        #expect(DescriptorLimit.sessions(10_000, limit: 300) == 150)
        #expect(DescriptorLimit.sessions(10_000, limit: 1) == 1)
        #expect(DescriptorLimit.sessions(100, limit: 300) == 100)
    }

    @Test func capsTheConfigurationWithAWarningOnlyWhenItMust() {
        var configuration = CubeConfiguration()
        configuration.limits.sessions = 10_000
        DescriptorLimit.fit(&configuration, limit: 1_024)
        #expect(configuration.limits.sessions == 768)
        #expect(configuration.warnings.contains { $0.contains("limits.sessions 10000") && $0.contains("at most 768 sessions") })
        var roomy = CubeConfiguration()
        roomy.limits.sessions = 10_000
        DescriptorLimit.fit(&roomy, limit: 20_000)
        #expect(roomy.limits.sessions == 10_000)
        #expect(roomy.warnings.isEmpty)
    }

    @Test func raisingKeepsTheSoftLimitAtLeastWhereItWas() {
        let raised = DescriptorLimit.raise()
        #expect(raised != nil)
        if let (before, after) = raised { #expect(after >= before) }
    }
}

/// ``UnixUser/lookup(_:bufferSize:)``: an entry longer than the buffer is read with a larger
/// one, not taken for a missing user.
@Suite struct UnixUserLookupTests {
    @Test func growsTheBufferForALongEntry() {
        #expect(UnixUser.lookup(0, bufferSize: 1) == .name("root"))
        #expect(UnixUser.lookup(0) == .name("root"))
    }

    @Test func aUidWithoutAUserIsNone() {
        #expect(UnixUser.lookup(3_999_999_999) == .none)
    }
}
