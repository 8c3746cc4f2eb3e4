@testable import CubeCore
import Testing

/// The per-name counters behind `stats` and `cube_zenka_requests_total`: one object per name,
/// shared by its sessions, bounded with `_other` (docs/configuration.md "Monitoring").
@Suite struct TargetCounterTableTests {
    @Test func oneObjectPerNameSharedBySessions() {
        var table = TargetCounterTable()
        let first = table.counters(for: "calc")
        first.requests &+= 2
        first.latency.record(1_000)
        let again = table.counters(for: "calc")
        #expect(first === again, "a name's sessions count into one entry")
        #expect(table["calc"]?.requests == 2 && table["echo"] == nil)
        #expect(table.snapshot == ["calc": TargetStats(requests: 2, latency: first.latency)])
        let anonymous = table.counters(for: nil)
        #expect(anonymous === table.counters(for: TargetCounterTable.overflowName))
    }

    @Test func namesPastTheBoundShareOther() {
        var table = TargetCounterTable()
        for index in 0..<TargetCounterTable.maximumNames { _ = table.counters(for: "user\(index)") }
        #expect(table.count == TargetCounterTable.maximumNames)
        let late = table.counters(for: "latecomer")
        let later = table.counters(for: "another")
        #expect(late === later, "names past the bound share one entry")
        #expect(table["latecomer"] == nil && table[TargetCounterTable.overflowName] === late)
        #expect(table.count == TargetCounterTable.maximumNames + 1, "the table grows by `_other` only")
        // Names counted before the bound keep their own entries.
        let early = table.counters(for: "user7")
        #expect(early !== late && table["user7"] === early)
    }
}
