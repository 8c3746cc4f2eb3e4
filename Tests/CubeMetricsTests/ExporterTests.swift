import CubeCore
import Foundation
import CubeMetrics
import Testing

/// The exporter hands the router's counters to swift-metrics/swift-prometheus exactly: a
/// router driven with fixed timestamps gives known latencies, and the exposition must show
/// exactly those bucket counts and that sum.
@Suite struct ExporterTests {
    struct PlainHasher: KeyHasher {
        func digest(_ key: [UInt8]) -> [UInt8] { key }
    }

    static func at(_ nanoseconds: UInt64) -> Timestamp { Timestamp(monotonic: nanoseconds, wall: 1_795_000_000) }

    /// Routes `echo` from a client to zenka `z`, answered `latency` nanoseconds later.
    static func roundTrip(_ router: inout Router, from client: SessionID, to zenka: SessionID, start: UInt64, latency: UInt64) {
        let actions = router.received(Array("(1)z.echo x\n".utf8), from: client, now: at(start))
        guard case .send(zenka, let bytes)? = actions.first,
              let close = bytes.firstIndex(of: UInt8(ascii: ")")) else {
            Issue.record("not forwarded: \(actions)")
            return
        }
        let id = String(decoding: bytes[1..<close], as: UTF8.self)
        _ = router.received(Array("(\(id))TRUE x\n".utf8), from: zenka, now: at(start + latency))
    }

    static func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func latencyBucketsAndSumsAreExactAcrossScrapes() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: PlainHasher(), seed: 7, now: Self.at(0))
        let (client, _) = router.connectLocal(user: "client", transport: .local("test"), now: Self.at(0))
        let (zenka, _) = router.connectLocal(user: "z", transport: .local("test"), kind: .zenka, now: Self.at(0))
        Self.roundTrip(&router, from: client, to: zenka, start: 1_000_000_000, latency: 1_500_000)  // 1.5 ms
        Self.roundTrip(&router, from: client, to: zenka, start: 2_000_000_000, latency: 3_000_000)  // 3 ms
        let snapshot = Mutex(router.metrics)
        let exporter = CubeMetricsExporter { snapshot.withLock { $0 } }
        var samples = Self.samples(exporter.exposition())
        #expect(samples["cube_route_latency_seconds_bucket{le=\"0.001\"}"] == "0")
        #expect(samples["cube_route_latency_seconds_bucket{le=\"0.0025\"}"] == "1")
        #expect(samples["cube_route_latency_seconds_bucket{le=\"0.005\"}"] == "2")
        #expect(samples["cube_route_latency_seconds_count"] == "2")
        #expect(samples["cube_route_latency_seconds_sum"] == "0.0045")
        #expect(samples["cube_zenka_requests_total{zenka=\"z\"}"] == "2")
        #expect(samples["cube_zenka_instances{zenka=\"z\"}"] == "1.0")
        #expect(samples["cube_commands_routed_total"] == "2")

        // Three more in one bucket with a sum that does not divide evenly: still exact.
        for (index, latency) in [1_100_001, 1_200_000, 1_300_000].enumerated() {
            Self.roundTrip(&router, from: client, to: zenka, start: 3_000_000_000 + UInt64(index) * 1_000_000_000,
                           latency: UInt64(latency))
        }
        _ = router.disconnected(zenka, now: Self.at(9_000_000_000))
        snapshot.withLock { $0 = router.metrics }
        samples = Self.samples(exporter.exposition())
        #expect(samples["cube_route_latency_seconds_bucket{le=\"0.0025\"}"] == "4")
        #expect(samples["cube_route_latency_seconds_count"] == "5")
        #expect(samples["cube_route_latency_seconds_sum"] == "0.008100001")
        #expect(samples["cube_commands_routed_total"] == "5")
        // A zenka name without sessions (not configured on demand) has no series any more.
        #expect(samples["cube_zenka_instances{zenka=\"z\"}"] == nil)
        #expect(samples["cube_sessions{method=\"zenka\"}"] == "0.0")
    }

    /// Zenka names are chosen by whoever logs in: the instances gauge keeps 1024 of them and
    /// sums the rest as `_other`, and a name's series goes with its last session (a hostile
    /// second reader: 2,700 series at 0 after two runs of logins under new names).
    @Test func zenkaInstanceSeriesAreBoundedAndGoWithTheirSessions() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: PlainHasher(), seed: 7, now: Self.at(0))
        let zenki = (0..<1200).map { index in
            router.connectLocal(user: String(format: "z%04d", index), transport: .local("test"), kind: .zenka, now: Self.at(0)).0
        }
        let snapshot = Mutex(router.metrics)
        let exporter = CubeMetricsExporter { snapshot.withLock { $0 } }
        var samples = Self.samples(exporter.exposition())
        let series = samples.keys.filter { $0.hasPrefix("cube_zenka_instances{") }
        #expect(series.count == 1025)
        #expect(samples["cube_zenka_instances{zenka=\"_other\"}"] == "176.0")
        for id in zenki { _ = router.disconnected(id, now: Self.at(1_000_000_000)) }
        snapshot.withLock { $0 = router.metrics }
        samples = Self.samples(exporter.exposition())
        #expect(samples.keys.filter { $0.hasPrefix("cube_zenka_instances{") }.isEmpty)
    }
}

import Synchronization
