import CubeCore
import Testing

@Suite struct LatencyHistogramTests {
    @Test func latenciesFallIntoTheirBucketWithExactSums() {
        var histogram = LatencyHistogram()
        histogram.record(50_000)  // 50 µs: first bucket
        histogram.record(100_000)  // exactly the first bound: still the first bucket
        histogram.record(100_001)
        histogram.record(200_000_000_000)  // above every bound
        #expect(histogram.counts[0] == 2)
        #expect(histogram.sums[0] == 150_000)
        #expect(histogram.counts[1] == 1)
        #expect(histogram.counts.last == 1)
        #expect(histogram.count == 4)
        #expect(histogram.sum == 50_000 + 100_000 + 100_001 + 200_000_000_000)
    }
}
