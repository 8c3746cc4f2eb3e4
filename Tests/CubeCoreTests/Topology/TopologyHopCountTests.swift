@testable import CubeCore
import Testing

@Suite struct TopologyHopCountTests {
    @Test func startsAtTheMaximumAndRunsOut() {
        var hops = HopCount.initial
        #expect(hops.remaining == Topology.maximumHops)
        var forwards = 0
        while let next = hops.decremented() {
            hops = next
            forwards += 1
        }
        #expect(forwards == Topology.maximumHops)
        #expect(hops.remaining == 0)
    }

    @Test func prefixesAndSplitsAPath() throws {
        let hops = try #require(HopCount(remaining: 31))
        let sent = hops.prefixing(bytes("n5.calc.add"))
        #expect(sent == bytes("_h31.n5.calc.add"))
        let (received, rest) = try #require(HopCount.split(sent))
        #expect(received == hops)
        #expect(Array(rest) == bytes("n5.calc.add"))
    }

    /// Every budget survives the trip, in the element's text form (the wire format of
    /// docs/protocol.md §8.3 is unchanged by building it in place).
    @Test func everyBudgetRoundTripsInItsDecimalForm() throws {
        for remaining in 0...Topology.maximumHops {
            let hops = try #require(HopCount(remaining: remaining))
            let sent = hops.prefixing(bytes("n2.bench.echo"))
            #expect(sent == bytes("_h\(remaining).n2.bench.echo"))
            let (received, rest) = try #require(HopCount.split(sent))
            #expect(received == hops)
            #expect(Array(rest) == bytes("n2.bench.echo"))
        }
        #expect(HopCount.split(bytes("_h0.n2")).map(\.hops.remaining) == 0)
        #expect(HopCount.split(bytes("_h99999999999999999999999.n2")) == nil)
        #expect(HopCount.split(bytes("_h3a.n2")) == nil)
    }

    /// A command received on a link is split where it lies, a slice of its line: the split
    /// reads the slice at its own indices and the rest is a slice of the same line.
    @Test func splitsASliceOfALineInPlace() throws {
        let line = bytes("(42)_h7.n5.calc.add 1 2")
        let (hops, rest) = try #require(HopCount.split(line[4..<19]))
        #expect(hops.remaining == 7)
        #expect(Array(rest) == bytes("n5.calc.add"))
        #expect(rest.startIndex == 8)
        let fresh = try #require(HopCount.split(line[8..<19]))
        #expect(fresh.hops == .initial)
        #expect(fresh.path.startIndex == 8)
        #expect(HopCount.split(line[4..<8]) == nil)
    }

    @Test func treatsAPathWithoutPrefixAsFresh() throws {
        let (hops, rest) = try #require(HopCount.split(bytes("n5.calc.add")))
        #expect(hops == .initial)
        #expect(Array(rest) == bytes("n5.calc.add"))
    }

    @Test(arguments: ["_h33.n5.calc", "_h.n5.calc", "_h07.n5.calc", "_h5", "_h5.", "_hx.n5.calc", "_h-1.n5.calc"])
    func rejectsMalformedHopElements(path: String) {
        #expect(HopCount.split(bytes(path)) == nil)
        #expect(HopCount(remaining: 33) == nil)
    }
}
