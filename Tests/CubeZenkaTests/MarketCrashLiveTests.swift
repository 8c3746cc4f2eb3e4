import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Offers and leases survive a `kill -9` of the cube (docs/market.md "Storage"): a real cube
/// with a store under a temporary `state.directory`, the real `storage` zenka, the cube killed
/// and started again on the same socket and store.
@Suite(.serialized) struct MarketCrashLiveTests {
    @Test func leasesSurviveKillNineWithTheirRemainingTime() async throws {
        let state = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("market-crash-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        // The zenka logs in again with method unix as `storage` once its one-time key is used.
        let extra = """
            state.directory = \(state.path)/state
            access.cmd.usr.storage = offer unoffer leases
            auth.setup.usr.storage = :unix:root
            """
        let first = try CubeProcess(profile: .zenka, extraConfiguration: extra)
        let socket = first.socketPath
        var client = try TestClient(cube: first)
        let blobs = first.directory.appendingPathComponent("blobs").path
        let storage = try ZenkaProcess(["storage", "--dir", blobs, "--quota", "1000"], name: "storage", cube: first)
        defer { storage.stop() }
        try await storage.waitUntilPresent("storage", client: client)
        let offer = try await Self.offerID(client)
        #expect(offer == "1")
        #expect(try await client.final("acquire 1 600 120") == "TRUE lease 1 offer 1 amount 600 ttl 120")

        var crashes = 0
        var cube = first
        for _ in 0..<3 {
            // kill -9: no shutdown, nothing flushed but what the store already holds.
            kill(cube.process.processIdentifier, SIGKILL)
            cube.process.waitUntilExit()
            crashes += 1
            cube = try CubeProcess(profile: .zenka, extraConfiguration: extra, socketPath: socket)
            client = try TestClient(cube: cube)
            // The lease is back, active, with at most its ttl left.
            let leases = try await client.final("leases")
            let row = leases.split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) } ?? []
            #expect(Array(row.prefix(5)) == ["1", "1", "unix-root", "600", "active"], "\(leases)")
            // The zenka reconnects, offers again and re-reserves the bytes of the leases the
            // cube says it provides …
            let current = client
            let reserved = try await eventually(seconds: 15) { try await current.final("storage.df").contains("reserved 600") }
            #expect(reserved)
            // … and its offer is offer 1 again, with the lease's share taken (no second offer).
            let table = try await client.final("offers storage")
            #expect(table.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
                    == [["1", "storage", "storage", "1000", "400", "-"]], "\(table)")
            #expect(try await client.final("renew 1") == "TRUE lease 1 renewed [ ttl 120 s ]")
            #expect(try await client.final("acquire 1 500") == "FALSE insufficient capacity [ 400 available ]")
        }
        #expect(crashes == 3)
        // A clean stop keeps it too.
        _ = cube.stop()
        cube = try CubeProcess(profile: .zenka, extraConfiguration: extra, socketPath: socket)
        client = try TestClient(cube: cube)
        #expect(try await client.final("leases").contains("600"))
        #expect(try await client.final("release 1") == "TRUE lease 1 released")
        _ = cube.stop()
        cube = try CubeProcess(profile: .zenka, extraConfiguration: extra, socketPath: socket)
        client = try TestClient(cube: cube)
        #expect(try await client.final("leases").split(separator: "\n").count == 2)
        storage.stop()
        _ = cube.stop()
    }

    /// The id of the first `storage` offer, once made.
    static func offerID(_ client: TestClient) async throws -> String {
        for _ in 0..<50 {
            let table = try await client.final("offers storage")
            if let row = table.split(separator: "\n").dropFirst(2).first { return String(row.split(separator: " ")[0]) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return ""
    }
}
