import CubeTestSupport
import Foundation
import Glibc
import Testing

/// The Prometheus endpoint (`metrics.listen`) and the mount's `metrics` file, scraped from a
/// real cube over real TCP and FUSE (docs/configuration.md "Monitoring").
@Suite(.serialized) struct MetricsLiveTests {
    /// Families a scrape must always show.
    static let expectedFamilies = [
        "cube_sessions", "cube_logins_total", "cube_login_failures_total", "cube_commands_routed_total",
        "cube_commands_local_total", "cube_commands_refused_total", "cube_replies_total", "cube_route_latency_seconds",
        "cube_routes_open", "cube_routes_collapsed_total", "cube_routes_timed_out_total", "cube_zenka_requests_total",
        "cube_zenka_latency_seconds", "cube_zenka_instances", "cube_links", "cube_nodes_reachable",
        "cube_adverts_received_total", "cube_adverts_published_total", "cube_offers", "cube_leases",
        "cube_offers_made_total", "cube_leases_granted_total", "cube_memory_held_bytes", "cube_sessions_waiting",
    ]

    @Test func aScrapeOverTCPIsValidExpositionAndMovesWithTraffic() throws {
        let port = freeTCPPort()
        let cube = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)")
        defer { cube.stop() }
        let zenka = try TestZenka(name: "calc", cube: cube)
        defer { zenka.stop() }
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("(1)calc.echo warm\n")
        #expect(client.read(until: "\n") == "(1)TRUE warm\n")

        let first = try #require(try scrape(port: port))
        for family in Self.expectedFamilies { #expect(first.types[family] != nil, "missing \(family)") }
        #expect(first.types["cube_route_latency_seconds"] == "histogram")
        #expect(first.types["cube_commands_routed_total"] == "counter")
        #expect(first.types["cube_sessions"] == "gauge")

        for index in 2...21 { client.send("(\(index))calc.echo n\(index)\n") }
        for _ in 2...21 { _ = client.read(until: "\n") }
        client.send("(30)calc.nosuch\n")
        #expect(client.read(until: "\n") == "(30)FALSE command does not exist\n")
        let second = try #require(try scrape(port: port))

        func delta(_ series: String) -> Double { (second[series] ?? .nan) - (first[series] ?? 0) }
        #expect(delta("cube_commands_routed_total") == 21)
        #expect(delta("cube_replies_total{keyword=\"TRUE\"}") == 20)
        #expect(delta("cube_replies_total{keyword=\"FALSE\"}") == 1)
        #expect(delta("cube_route_latency_seconds_count") == 21)
        #expect(delta("cube_route_latency_seconds_bucket{le=\"+Inf\"}") == 21)
        #expect(delta("cube_route_latency_seconds_sum") > 0)
        #expect(delta("cube_zenka_requests_total{zenka=\"calc\"}") == 21)
        #expect(delta("cube_zenka_latency_seconds_count{zenka=\"calc\"}") == 21)
        #expect(second["cube_zenka_instances{zenka=\"calc\"}"] == 1)
        #expect(second["cube_sessions{method=\"zenka\"}"] == 1)
        #expect((second["cube_sessions{method=\"unix\"}"] ?? 0) >= 1)
        // Histogram buckets are cumulative and end at the count.
        let bounds = second.samples.keys.filter { $0.hasPrefix("cube_route_latency_seconds_bucket{") }
        let values = bounds.compactMap { key -> (Double, Double)? in
            guard let le = key.split(separator: "\"").dropFirst().first, let bound = Exposition.number(String(le)),
                  let value = second[key] else { return nil }
            return (bound, value)
        }.sorted { $0.0 < $1.0 }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0.1 <= $1.1 })
        #expect(values.last?.1 == second["cube_route_latency_seconds_count"])
    }

    /// A metrics port another process holds ends `cube run` with a message that names the
    /// key and the address (before: the system's "Address already in use" alone).
    @Test func aMetricsPortInUseIsNamedWhenTheCubeStops() throws {
        let port = freeTCPPort()
        let first = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)")
        defer { first.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metricsbusy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let conf = directory.appendingPathComponent("cube.conf").path
        try "metrics.listen = 127.0.0.1:\(port)\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let run = try ExecutableRun.run(Binaries.cube, ["run", "--config", conf, "--no-mount",
                                                        "--socket", directory.appendingPathComponent("cube.sock").path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("metrics.listen 127.0.0.1:\(port): cannot listen:"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("cube.sock").path))
    }

    @Test func refusalsAndFailedLoginsAreCountedLoggedAsJSONAndOtherPathsAre404() throws {
        let port = freeTCPPort()
        let cube = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)\nauth.setup.usr.limited = :unix:root",
                                   arguments: ["--log-level", "notice", "--log-format", "json"])
        defer { cube.stop() }
        let before = try #require(try scrape(port: port))
        let intruder = try RawSocket(path: cube.socketPath)
        _ = intruder.read(count: 32)
        intruder.send("select unix\nauth unix-nobody\n")
        #expect(intruder.read(until: ">:|\n", timeout: 5).hasSuffix("AUTH_ERROR `>:|\n"))
        let limited = try RawSocket(path: cube.socketPath)
        #expect(limited.loginUnix("limited"))
        limited.send("(5)zzz.forbidden\n")
        #expect(limited.read(until: "\n").hasPrefix("(5)FALSE command not known or no permission"))
        let after = try #require(try scrape(port: port))
        #expect((after["cube_login_failures_total"] ?? 0) - (before["cube_login_failures_total"] ?? 0) == 1)
        #expect((after["cube_commands_refused_total"] ?? 0) - (before["cube_commands_refused_total"] ?? 0) == 1)
        #expect(httpGet(port: port, path: "/other")?.status.contains("404") == true)

        // Every stderr line is one JSON object; the refusals are notices with reason and uid.
        // (One read: the pipe is read while data is there; the lines are written by now.)
        usleep(300_000)
        var records: [[String: String]] = []
        for line in cube.standardError().split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            records.append(try #require(object as? [String: String], "not a flat JSON object: \(line)"))
        }
        let login = try #require(records.first { $0["message"] == "login failed" })
        #expect(login["level"] == "notice")
        #expect(login["user"] == "unix-nobody")
        #expect(login["uid"] == "0")
        #expect(login["reason"]?.contains("unix user 'root'") == true)
        let refused = try #require(records.first { $0["message"] == "command refused" })
        #expect(refused["user"] == "limited")
        #expect(refused["command"] == "zzz.forbidden")
    }

    @Test func idleConnectionsAreBoundedAndDoNotStopScrapesForLong() throws {
        let port = freeTCPPort()
        let cube = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)")
        defer { cube.stop() }
        // The endpoint listens once the cube's socket does, or a little later: a connection
        // refused before that would leave a place free (seen once in a full run: 15 of 16).
        #expect(eventually(timeout: 10) { httpGet(port: port, path: "/metrics", timeout: 1) != nil })
        // 16 connections that send nothing hold every place; the next is closed at once. The
        // probe's place is freed when the cube has seen it close, which on a loaded machine
        // can come after the first idle connections: one refused then is connected again.
        var idle = (0..<16).compactMap { _ in tcpConnect(port: port) }
        #expect(idle.count == 16)
        #expect(eventually(timeout: 10, interval: 0) {
            usleep(200_000)  // a refused connection is closed by then
            var replaced = false
            idle = idle.map { descriptor in
                guard closedByPeer(descriptor) else { return descriptor }
                replaced = true
                close(descriptor)
                return tcpConnect(port: port) ?? -1
            }
            return !replaced  // all 16 held for the last 200 ms
        })
        #expect(httpGet(port: port, path: "/metrics", timeout: 3) == nil)
        for descriptor in idle where descriptor >= 0 { close(descriptor) }
        usleep(200_000)
        #expect(try scrape(port: port) != nil)
    }

    /// A request whose body trickles in is cut 10 s after the connection, whatever it sends:
    /// an idle timer that every body part restarted let 16 such connections keep every scrape
    /// out for as long as they liked (a hostile second reader).
    @Test func aTrickledRequestBodyIsCutAtTheDeadline() throws {
        let port = freeTCPPort()
        let cube = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)")
        defer { cube.stop() }
        #expect(eventually(timeout: 10) { httpGet(port: port, path: "/metrics", timeout: 1) != nil })
        let descriptor = try #require(tcpConnect(port: port))
        defer { close(descriptor) }
        let start = Date()
        func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) } }
        send("POST /metrics HTTP/1.1\r\nHost: cube\r\nTransfer-Encoding: chunked\r\n\r\n")
        var closedAfter: Double?
        while closedAfter == nil, Date().timeIntervalSince(start) < 20 {
            send("1\r\na\r\n")  // one byte of body every second
            for _ in 0..<10 where closedAfter == nil {
                usleep(100_000)
                if closedByPeer(descriptor) { closedAfter = Date().timeIntervalSince(start) }
            }
        }
        let seconds = try #require(closedAfter, "still open after 20 s")
        #expect(seconds >= 9 && seconds < 13, "closed after \(seconds) s")
    }

    /// Busy-polling (`socket.busy-poll`, docs/performance.md "Busy-polling") is on by default
    /// and its spins are counted after routed round trips; with 0 its series are absent.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1, "one CPU never spins"))
    func busyPollingSpinsAreCountedAndOffWhenConfiguredSo() throws {
        for budget in [nil, 0] {
            let port = freeTCPPort()
            let cube = try CubeProcess(extraConfiguration: "metrics.listen = 127.0.0.1:\(port)\n"
                                       + (budget.map { "socket.busy-poll = \($0)\n" } ?? ""))
            defer { cube.stop() }
            let zenka = try TestZenka(name: "calc", cube: cube)
            defer { zenka.stop() }
            let client = try RawSocket(path: cube.socketPath)
            #expect(client.loginUnix())
            for index in 1...30 {
                client.send("(\(index))calc.echo n\(index)\n")
                #expect(client.read(until: "\n") == "(\(index))TRUE n\(index)\n")
            }
            #expect(eventually(timeout: 10) { httpGet(port: port, path: "/metrics", timeout: 1) != nil })
            let scraped = try #require(try scrape(port: port))
            let spins = (scraped["cube_busy_poll_spins_total{ended=\"input\"}"] ?? 0)
                + (scraped["cube_busy_poll_spins_total{ended=\"budget\"}"] ?? 0)
            // A turn the loop's window told not to spin (the zenka answered later than the
            // budget, as a debug build's may) is counted as skipped instead.
            let windowed = scraped["cube_busy_poll_skipped_total"] ?? 0
            if budget == nil {
                #expect(scraped.types["cube_busy_poll_spins_total"] == "counter")
                #expect(scraped.types["cube_busy_poll_pauses_total"] == "counter")
                #expect(scraped.types["cube_busy_poll_skipped_total"] == "counter")
                #expect(spins + windowed >= 30, "a spin (or a skip) after each small read: \(spins) + \(windowed)")
            } else {
                #expect(scraped.types["cube_busy_poll_spins_total"] == nil && spins == 0)
                #expect(scraped.types["cube_busy_poll_skipped_total"] == nil)
            }
        }
    }

    private func scrape(port: Int) throws -> Exposition? {
        guard let (status, body) = httpGet(port: port, path: "/metrics") else { return nil }
        #expect(status.hasPrefix("HTTP/1.1 200"))
        return try Exposition(parsing: body)
    }
}
