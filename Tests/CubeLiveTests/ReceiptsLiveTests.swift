import CubeClient
import CubeCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Usage receipts between two real cubes linked on loopback (docs/market.md "Usage receipts"):
/// `unix-root` on node `a` leases a priced offer of node `b`, `a` charges it every 2 s
/// (`market.charge-interval = 2`) and pays `b` by signed receipts; each node is killed with
/// SIGKILL in the middle of charging and restarted on its store; after the release both
/// statements list the same charges and the balances are exact.
@Suite(.serialized) struct ReceiptsLiveTests {
    /// A provider session on `b`: offers 3600 units at 1 credit per unit per hour (1 credit a
    /// second) and grants every `lease-request`.
    final class Provider: @unchecked Sendable {
        let connection: P7Connection
        private let lock = NSLock()
        private var stopped = false

        init(socketPath: String) throws {
            connection = try P7Connection(unixPath: socketPath, timeout: .seconds(5))
            try connection.loginUnix(user: "unix-root")
            try connection.sendRaw(Array("(1)offer storage 3600 price=1\n".utf8))
            let reply = try connection.readReply()
            guard reply.keyword == .trueReply else { throw ClientError.timeout }
            Thread { [self] in serve() }.start()
        }

        private func serve() {
            while !lock.withLock({ stopped }) {
                connection.timeout = .milliseconds(200)
                do {
                    let line = String(decoding: try connection.readLine(), as: UTF8.self)
                    if let match = line.firstMatch(of: #/^\((\d+)\)lease-request /#) {
                        try connection.sendRaw(Array("(\(match.1))TRUE\n".utf8))
                    }
                } catch ClientError.timeout {
                    continue
                } catch {
                    return
                }
            }
        }

        func stop() {
            lock.withLock { stopped = true }
            connection.close()
        }
    }

    /// The rows of `statement 100` whose `what` starts with `prefix`: (credits, what).
    static func entries(_ client: RingClient, _ prefix: String) throws -> [(credits: String, what: String)] {
        let reply = try client.ask("statement 100")
        let lines = String(decoding: reply.body ?? [], as: UTF8.self).split(separator: "\n").dropFirst(2)
        return lines.compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 4 else { return nil }
            let what = words[3...].joined(separator: " ")
            return what.hasPrefix(prefix) ? (words[1], what) : nil
        }
    }

    @Test func bothLedgersAgreeAcrossKillNineOfEitherNode() throws {
        let net = try RingNetwork(names: ["a", "b"], links: [("a", "b")])
        defer { net.shutdown() }
        func extra(_ name: String) -> String {
            "state.directory = \(net.directory.path)/\(name)-state\nmarket.charge-interval = 2"
        }
        for name in net.names { try net.start(name, extra: extra(name)) }
        _ = try net.waitForTopology([RingNetwork.Edge("a", "b")], timeout: 20)
        let provider = try Provider(socketPath: net.cube("b").socketPath)
        defer { provider.stop() }
        // a's user needs credit on a, which charges it (b charges nobody for it).
        #expect(try net.client("a").askUntilTrue("grant unix-root 1000", timeout: 10) != nil)
        var granted: Reply?
        for _ in 0..<100 {
            granted = try net.client("a").ask("acquire b:1 3600 600")
            if granted?.keyword == .trueReply { break }
            usleep(100_000)
        }
        let text = try #require(granted?.textString)
        let words = text.split(separator: " ").map(String.init)
        #expect(words.count == 12 && Array(words.prefix(9)) == ["lease", "1", "offer", "1", "amount", "3600", "ttl", "600", "price"]
                && words[9] == "1.000" && words[10] == "since", "\(text)")
        let since = try #require(words.last.flatMap { Int64($0) })

        // Charging runs; kill -9 a at a random moment of it, restart it on its store; then b.
        var generator = SystemRandomNumberGenerator()
        for name in ["a", "b"] {
            let running = UInt32.random(in: 3_000_000...7_000_000, using: &generator)
            let down = UInt32.random(in: 500_000...3_000_000, using: &generator)
            print("receipts: \(name) killed after \(running / 1000) ms of charging, down \(down / 1000) ms")
            usleep(running)
            net.kill(name)
            usleep(down)
            try net.start(name, extra: extra(name))
            _ = try net.waitForTopology([RingNetwork.Edge("a", "b")], timeout: 20)
        }
        sleep(4)
        let released = try net.client("a").ask("b.release 1")
        #expect(released.keyword == .trueReply, "\(released.rawText)")
        let end = Int64(Date().timeIntervalSince1970)

        // Both ledgers settle on the same charges (the last receipt may still be in flight).
        var charges: [(credits: String, what: String)] = [], incomes: [(credits: String, what: String)] = []
        let deadline = Date().addingTimeInterval(30)
        repeat {
            charges = try Self.entries(net.client("a"), "lease b:1 ")
            incomes = try Self.entries(net.client("b"), "lease 1 income ")
            if !charges.isEmpty, charges.map({ String($0.credits.dropFirst()) }) == incomes.map(\.credits) { break }
            usleep(200_000)
        } while Date() < deadline
        print("receipts: \(charges.count) charges on a, \(incomes.count) incomes on b; a: \(charges.map(\.credits)) b: \(incomes.map(\.credits))")
        #expect(!charges.isEmpty && charges.map { String($0.credits.dropFirst()) } == incomes.map(\.credits),
                "a: \(charges) b: \(incomes)")
        #expect(charges.allSatisfy { $0.credits.hasPrefix("-") })
        // Every second from the grant to the release was charged exactly once: 1 credit each.
        let seconds = charges.compactMap { Int64($0.what.split(separator: " ")[2]) }
        let millicredits = charges.compactMap { Ledger.millicredits(String($0.credits.dropFirst())) }
        #expect(millicredits == seconds.map { $0 * 1000 }, "\(charges)")
        let total = seconds.reduce(0, +)
        #expect(total >= end - since - 3 && total <= end - since + 1, "charged \(total) s of \(end - since) s")
        #expect(try net.client("a").ask("balance").textString == "\(Ledger.credits(1_000_000 - total * 1000)) credits")
        #expect(try net.client("b").ask("balance").textString == "\(Ledger.credits(total * 1000)) credits")
        #expect(incomes.allSatisfy { $0.what.hasSuffix(" from a") })
    }
}
