import CubeClient
import CubeCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bursts onto other nodes with real cube processes linked on loopback (docs/pooling.md
/// "Bursts"): n1's `work` is at its one instance; n2 and n3 lend compute that runs it, n4
/// offers none (`node.compute.slots = 0`), n5 lends compute that runs only `echo`.
@Suite(.serialized) struct BurstLiveTests {
    /// A stdio zenka: `job` takes 0.2 s, `slow` 3 s; both answer the node they ran on.
    static let worker = #"""
    #!/bin/sh
    while IFS= read -r line; do
        id=${line%%)*}; id=${id#(}
        rest=${line#*)}; command=${rest%% *}
        case "$command" in
            heart) echo "($id)TRUE beating" ;;
            job)   sleep 0.2; echo "($id)TRUE $NODE" ;;
            slow)  sleep 3; echo "($id)TRUE $NODE" ;;
            *)     echo "($id)FALSE command does not exist" ;;
        esac
    done
    """#

    static let consumer = """
        zenka.work.instances.min = 1
        zenka.work.instances.max = 1
        zenka.work.scale.target = 1
        zenka.work.scale.up-after = 1
        zenka.work.scale.down-after = 2
        zenka.work.scale.cooldown = 1
        """
    static let lender = """
        zenka.work.instances.min = 0
        zenka.work.instances.max = 1
        node.compute.slots = 1
        node.compute.runs = work
        """

    /// Starts `names` linked to n1 (a star), each with the worker zenka and its `extra` lines.
    private func network(_ extra: [String: String]) throws -> RingNetwork {
        let names = extra.keys.sorted()
        let network = try RingNetwork(names: names, links: names.dropFirst().map { ("n1", $0) })
        let script = network.directory.appendingPathComponent("work.sh").path
        try Self.worker.write(toFile: script, atomically: true, encoding: .utf8)
        do {
            for name in names {
                try network.start(name, extra: """
                    zenka.work.program = /bin/sh
                    zenka.work.args = \(script)
                    zenka.work.mode = stdio
                    zenka.work.heartbeat = 0
                    zenka.work.dispatch = balanced
                    zenka.work.env.NODE = \(name)
                    access.cmd.usr.v7 = **
                    \(extra[name] ?? "")
                    """)
            }
            _ = try network.waitForTopology(network.allEdges, timeout: 30)
        } catch {
            network.shutdown()
            throw error
        }
        return network
    }

    /// Sends `total` commands `command` keeping `window` in flight; returns each final reply's
    /// raw text by id (a duplicate is recorded as an issue).
    private func pump(_ client: RingClient, _ command: String = "work.job", total: Int, window: Int,
                      timeout: Double = 90) throws -> [UInt64: String] {
        var answers: [UInt64: String] = [:]
        var sent = 0
        while sent < min(window, total) {
            try client.send(command)
            sent += 1
        }
        let deadline = Date().addingTimeInterval(timeout)
        while answers.count < total, Date() < deadline {
            for reply in try client.replies(count: 1, timeout: 10) {
                let id = reply.id
                guard id != 0, answers[id] == nil else {
                    Issue.record("duplicate or unnumbered reply \(reply.line)")
                    continue
                }
                answers[id] = reply.line
                if sent < total {
                    try client.send(command)
                    sent += 1
                }
            }
        }
        return answers
    }

    /// Polls `condition` every 200 ms for at most `seconds`.
    private func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return try condition()
    }

    /// `stats work` of `node` (a failure message when it does not answer).
    private func stats(_ network: RingNetwork, _ node: String) -> String {
        (try? network.client(node).ask("stats work", timeout: 10).bodyString) ?? "(no answer from \(node))"
    }

    @Test func burstsOntoTheNodesThatRunItAndReleasesThemWhenTheLoadStops() throws {
        let network = try network(["n1": Self.consumer + "\nzenka.work.bursts = 2", "n2": Self.lender, "n3": Self.lender,
                                   "n4": Self.lender.replacingOccurrences(of: "slots = 1", with: "slots = 0"),
                                   "n5": Self.lender.replacingOccurrences(of: "runs = work", with: "runs = echo")
                                       + "\nzenka.echo.program = /bin/sh\nzenka.echo.mode = stdio\nzenka.echo.heartbeat = 0"
                                       + "\nzenka.echo.dispatch = balanced\nzenka.echo.instances.min = 0"])
        defer { network.shutdown() }
        let client = try network.client("n1")
        // n2, n3 and n5 advertise a compute offer; n4 (no slots) none.
        #expect(try eventually(20) {
            let offers = try client.ask("offers compute").bodyString
            return ["n2:", "n3:", "n5:"].allSatisfy(offers.contains) && !offers.contains("n4:")
        })
        let started = Date()
        let answers = try pump(client, total: 200, window: 8)
        let seconds = Date().timeIntervalSince(started)
        #expect(answers.count == 200)
        #expect(answers.values.allSatisfy { $0.hasPrefix("TRUE n") }, "\(answers.values.filter { !$0.hasPrefix("TRUE n") })")
        let byNode = Dictionary(grouping: answers.values, by: { $0 }).mapValues(\.count)
        print("burst: 200 jobs of 0.2 s, 8 in flight, in \(Int(seconds * 1000)) ms: \(byNode)")
        #expect(byNode["TRUE n2"] ?? 0 > 0 && byNode["TRUE n3"] ?? 0 > 0, "\(byNode)")
        #expect(byNode["TRUE n4"] == nil && byNode["TRUE n5"] == nil, "\(byNode)")
        // n5's offer was never leased (it does not run work); n4 offers nothing.
        let offers = try client.ask("offers compute").bodyString
        #expect(offers.split(separator: "\n").contains { $0.hasPrefix("n5:") && $0.contains(" 1 ") && $0.hasSuffix("runs=echo load=0") },
                "\(offers)")
        // Idle: n1 releases both leases (down-after 2 s, cooldown 1 s); n2 and n3 drain and
        // stop their instances.
        #expect(eventually(40) { !stats(network, "n1").contains("burst lease") }, "\(stats(network, "n1"))")
        #expect(eventually(40) {
            stats(network, "n2").contains("\ninstances 0\n") && stats(network, "n3").contains("\ninstances 0\n")
        }, "\(stats(network, "n2"))")
        #expect(stats(network, "n1").contains("last-scale-event burst-end work"))
        #expect(try client.ask("offers compute").bodyString.contains("runs=work load=0"))
    }

    @Test func aLenderKilledMidBurstFailsWhatItHeldAndNewWorkIsPlacedAgain() throws {
        let network = try network(["n1": Self.consumer + "\nzenka.work.bursts = 1", "n2": Self.lender, "n3": Self.lender])
        defer { network.shutdown() }
        let client = try network.client("n1")
        #expect(try eventually(20) {
            let offers = try client.ask("offers compute").bodyString
            return offers.contains("n2:") && offers.contains("n3:")
        })
        // Load until n2 (first by name among equals) runs an instance for n1.
        var leased = false
        for _ in 0..<10 where !leased {
            _ = try pump(client, total: 20, window: 8)
            leased = stats(network, "n1").contains("n2     ")
                && stats(network, "n1").contains("1 advertised, burst lease")
        }
        #expect(leased, "\(stats(network, "n1"))")
        // Slow jobs spread over n1's and n2's instances; n2 dies while it holds some.
        var ids: [UInt64] = []
        for _ in 0..<6 { ids.append(try client.send("work.slow")) }
        usleep(500_000)
        network.kill("n2")
        let replies = try client.replies(count: 6, timeout: 60)
        let texts = replies.map(\.line)
        #expect(replies.count == 6, "\(texts)")
        #expect(texts.contains("FALSE command route collapsed"), "\(texts)")
        // What still waited in n1's queue (docs/pooling.md "Queue") was never sent to n2: n1's
        // instance or the one n1 leases on n3 next answers it.
        #expect(texts.allSatisfy { ["FALSE command route collapsed", "TRUE n1", "TRUE n3"].contains($0) }, "\(texts)")
        // New work is answered; n1 forgets the lease and, still loaded, leases on n3.
        var placed = false
        for _ in 0..<10 where !placed {
            let answers = try pump(client, total: 20, window: 8)
            #expect(answers.count == 20 && answers.values.allSatisfy { $0 == "TRUE n1" || $0 == "TRUE n3" }, "\(answers.values)")
            placed = stats(network, "n1").contains("burst lease") && stats(network, "n1").contains("n3     ")
        }
        #expect(placed, "\(stats(network, "n1"))")
        #expect(!stats(network, "n1").contains("n2     "))
    }
}

private extension Reply {
    /// `TRUE <text>` / `FALSE <text>` without the id.
    var line: String {
        switch keyword {
        case .trueReply: "TRUE " + textString
        case .falseReply: "FALSE " + textString
        default: rawText
        }
    }

    /// The body of a `SIZE` reply as text.
    var bodyString: String { String(decoding: body ?? [], as: UTF8.self) }
}
