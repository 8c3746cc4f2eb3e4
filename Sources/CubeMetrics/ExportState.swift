import CubeCore
import CoreMetrics
import Prometheus

/// The swift-metrics objects of a ``CubeMetricsExporter`` and the values they were last given.
struct ExportState {
    /// A metric name with its labels, as a dictionary key.
    struct Key: Hashable {
        let name: String
        let labels: [String]

        init(_ name: String, _ labels: [(String, String)]) {
            self.name = name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }
    }

    private var counters: [Key: (counter: CoreMetrics.Counter, last: UInt64)] = [:]
    private var gauges: [Key: (gauge: CoreMetrics.Gauge, labels: [(String, String)])] = [:]
    private var timers: [Key: (timer: CoreMetrics.Timer, last: LatencyHistogram)] = [:]
    /// Gauges of labelled families not yet set in this scrape (set to 0 by ``flushResetGauges()``).
    private var unset: Set<Key> = []

    /// Brings a counter up to `value` (counters only grow: a smaller value is ignored).
    mutating func count(_ name: String, _ labels: [(String, String)], _ value: UInt64, factory: any MetricsFactory) {
        let key = Key(name, labels)
        let entry = counters[key] ?? (CoreMetrics.Counter(label: name, dimensions: labels, factory: factory), 0)
        if value > entry.last { entry.counter.increment(by: Int64(clamping: value - entry.last)) }
        counters[key] = (entry.counter, max(value, entry.last))
    }

    mutating func gauge(_ name: String, _ labels: [(String, String)], _ value: Int, factory: any MetricsFactory) {
        let key = Key(name, labels)
        let gauge = gauges[key]?.gauge ?? CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
        gauges[key] = (gauge, labels)
        unset.remove(key)
        gauge.record(value)
    }

    /// Marks every gauge of the families `prefixes` as not yet set in this scrape.
    mutating func resetGauges(prefixes: [String]) {
        unset = Set(gauges.keys.filter { prefixes.contains($0.name) })
    }

    /// Sets to 0 the gauges marked by ``resetGauges(prefixes:)`` and not set since, and
    /// removes those of the families `removable` (their label sets come and go with user names:
    /// kept at 0, a series stayed for every name ever seen, 2,700 after two runs of logins
    /// under new zenka names; a hostile second reader).
    mutating func flushResetGauges(removing removable: Set<String> = []) {
        for key in unset {
            guard let entry = gauges[key] else { continue }
            if removable.contains(key.name) {
                entry.gauge.destroy()
                gauges[key] = nil
            } else {
                entry.gauge.record(0)
            }
        }
        unset.removeAll()
    }

    /// Feeds a timer the latencies `histogram` gained since the last scrape.
    ///
    /// Per bucket, `n` new latencies with sum `s` all lie in that bucket, so their mean does
    /// too: recording `n` values of `s / n` (the remainder spread one nanosecond each) gives
    /// the Prometheus histogram exactly the router's counts and sum.
    mutating func latency(_ name: String, _ labels: [(String, String)], _ histogram: LatencyHistogram,
                          factory: any MetricsFactory) {
        let key = Key(name, labels)
        let entry = timers[key] ?? (CoreMetrics.Timer(label: name, dimensions: labels, factory: factory), LatencyHistogram())
        for bucket in histogram.counts.indices {
            let count = histogram.counts[bucket] &- entry.last.counts[bucket]
            let sum = histogram.sums[bucket] &- entry.last.sums[bucket]
            guard count > 0, count <= histogram.counts[bucket] else { continue }
            let (mean, remainder) = sum.quotientAndRemainder(dividingBy: count)
            for index in 0..<count {
                entry.timer.recordNanoseconds(Int64(clamping: mean + (index < remainder ? 1 : 0)))
            }
        }
        timers[key] = (entry.timer, histogram)
    }
}
