import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `nodes/` and network-wide `offers/` through a real mount of a cube linked to a second cube
/// over TCP (``LinkedMountedCubes``). Part of the serialized ``MountLiveTests`` suite, so no
/// other cube mounts meanwhile.
extension MountLiveTests {
    @Test func aZenkaOnTheOtherCubeAnswersThroughNodesZenkiCmdOutAndAsk() throws {
        let net = try LinkedMountedCubes()
        defer { net.cleanup() }
        let nodes = net.waitForNames("nodes", timeout: 20) { $0 == ["n1", "n2"] }
        try #require(nodes == ["n1", "n2"], "ls nodes: \(String(describing: net.names("nodes")))\n\(net.diagnostics)")
        let calc = try TestZenka(name: "calc", cube: try #require(net.n2))
        defer { calc.stop() }
        // n2 re-advertises within a tick of the zenka joining.
        let zenki = net.waitForNames("nodes/n2/zenki", timeout: 5) { $0?.contains("calc") == true }
        try #require(zenki == ["calc"], "\(String(describing: net.names("nodes/n2/zenki")))")
        #expect(net.names("nodes/n2") == ["info", "links", "zenki"])
        #expect(net.names("nodes/n2/zenki/calc") == ["ask", "cmd", "info", "out"])

        // cmd → out, from child processes.
        let write = net.echo("heart", to: "nodes/n2/zenki/calc/cmd")
        #expect(write.succeeded, "\(write)")
        let out = net.reader("nodes/n2/zenki/calc/out", pattern: "TRUE beating").wait(timeout: 8)
        #expect(out.succeeded, "\(out)")
        #expect(out.lines.contains { $0.wholeMatch(of: #/\(\d+\)TRUE beating.*/#) != nil }, "\(out)")
        #expect(net.echo("(31) echo across the link", to: "nodes/n2/zenki/calc/cmd").succeeded)
        let echoed = net.reader("nodes/n2/zenki/calc/out", pattern: "(31)").wait(timeout: 8)
        #expect(echoed.lines.last == "(31)TRUE across the link", "\(echoed)")

        // ask: exactly the replies to what was written, then end-of-file.
        let ask = shq(net.path("nodes/n2/zenki/calc/ask"))
        let transaction = MountChild.sh("exec 3<>\(ask); echo '(77) echo asked' >&3; cat <&3", timeout: 8)
        #expect(transaction.succeeded && transaction.lines == ["(77)TRUE asked"], "\(transaction)")

        // The text files.
        let remote = net.cat("nodes/n2/info")
        #expect(remote.succeeded, "\(remote)")
        for line in ["name: n2", "local: no", "key: \(net.keys.n2)", "distance: 1", "next-hop: n2", "zenki: 1", "offers: 0"] {
            #expect(remote.lines.contains(line), "\(line) missing: \(remote)")
        }
        #expect(remote.lines.contains { $0.hasPrefix("sequence: ") && $0 != "sequence: -" }, "\(remote)")
        let local = net.cat("nodes/n1/info")
        for line in ["name: n1", "local: yes", "key: \(net.keys.n1)", "distance: 0", "next-hop: -"] {
            #expect(local.lines.contains(line), "\(line) missing: \(local)")
        }
        #expect(net.cat("nodes/n1/links").lines == ["n2 1"])
        #expect(net.cat("nodes/n2/links").lines == ["n1 1"])
        #expect(net.cat("nodes/n2/zenki/calc/info").lines == ["name: calc", "state: advertised", "node: n2"])
        #expect(net.cat("status").lines.contains("identity-key: \(net.keys.n1)"))
    }

    @Test func nodesZenkiAndOffersFollowTheTopologyAsZenkiOffersAndTheOtherCubeComeAndGo() throws {
        let net = try LinkedMountedCubes()
        defer { net.cleanup() }
        try #require(net.waitForNames("nodes", timeout: 20) { $0 == ["n1", "n2"] } != nil, "\(net.diagnostics)")
        let n1 = try #require(net.n1)
        let n2 = try #require(net.n2)

        // This node's own zenki, addressed by node name (`n1.here.heart`, own name stripped).
        let here = try TestZenka(name: "here", cube: n1)
        defer { here.stop() }
        #expect(net.waitForNames("nodes/n1/zenki", timeout: 3) { $0 == ["here"] } != nil)
        #expect(net.echo("(41) heart", to: "nodes/n1/zenki/here/cmd").succeeded)
        let beat = net.reader("nodes/n1/zenki/here/out", pattern: "(41)").wait(timeout: 8)
        #expect(beat.lines.contains { $0.hasPrefix("(41)TRUE beating") }, "\(beat)")

        // A zenka joining and leaving the other cube changes its advert, and the listing.
        let calc = try TestZenka(name: "calc", cube: n2)
        #expect(net.waitForNames("nodes/n2/zenki", timeout: 5) { $0 == ["calc"] } != nil)
        calc.stop()
        #expect(net.waitForNames("nodes/n2/zenki", timeout: 5) { $0 == [] } != nil,
                "\(String(describing: net.names("nodes/n2/zenki")))")

        // An offer made on n2 shows in n1's offers/ as n2:<id>.
        let provider = try RawSocket(path: n2.socketPath)
        defer { provider.close() }
        #expect(provider.loginUnix())
        provider.send("(1)offer storage 1000\n")
        #expect(provider.read(until: "\n").hasPrefix("(1)TRUE offer 1"))
        let offers = net.waitForNames("offers", timeout: 5) { $0?.contains("n2:1") == true }
        #expect(offers == ["n2:1"], "\(String(describing: net.names("offers")))")
        #expect(net.cat("offers/n2:1/info").lines == ["id: n2:1", "kind: storage", "node: n2", "capacity: 1000", "available: 1000"])
        #expect(net.cat("nodes/n2/info").lines.contains("offers: 1"))
        #expect(net.names("offers/n2:1") == ["acquire", "info"])

        // Leased across the network by writing to n1's mount: n2 asks its provider in n1's
        // name, and the answer comes back to the writer's `ask` (docs/market.md).
        let ask = MountChild.shell("exec 3<>\(shq(net.path("offers/n2:1/acquire"))); echo '(8) 10 60' >&3; cat <&3")
        let request = provider.read(until: "\n")
        #expect(request.contains("lease-request 1 n1 10 60"), "\(request)")
        if let close = request.firstIndex(of: ")") { provider.send("\(request[...close])TRUE\n") }
        let leased = ask.wait(timeout: 10)
        #expect(leased.output == "(8)TRUE lease 1 offer 1 amount 10 ttl 60\n", "\(leased)")
        // n1's mount lists the lease its user holds on n2 (docs/market.md "Leases held on other nodes").
        #expect(net.waitForNames("leases", timeout: 3) { $0 == ["n2:1"] } != nil, "\(String(describing: net.names("leases")))")
        #expect(net.names("leases/n2:1") == ["info"])
        let info = net.cat("leases/n2:1/info").lines
        #expect(Array(info.prefix(5)) == ["id: n2:1", "node: n2", "offer: n2:1", "consumer: unix-root", "amount: 10"], "\(info)")

        // n2 goes away: its link and reachability show in events, and its entries vanish.
        let events = net.reader("events", count: 1, pattern: "node n2 unreachable", timeout: 10)
        usleep(200_000)
        net.stopN2()
        let gone = events.wait(timeout: 12)
        #expect(gone.succeeded, "\(gone)")
        #expect(gone.lines.contains("link n2 down"), "\(gone)")
        #expect(net.waitForNames("nodes", timeout: 3) { $0 == ["n1"] } != nil, "\(String(describing: net.names("nodes")))")
        #expect(net.waitForNames("offers", timeout: 3) { $0 == [] } != nil)
        #expect(mountWait(timeout: 2) { !net.cat("nodes/n2/info").succeeded } != nil)
        let refused = net.echo("heart", to: "nodes/n2/zenki/calc/cmd")
        #expect(!refused.succeeded && (refused.errors.contains("nonexistent") || refused.errors.contains("No such file")), "\(refused)")
    }
}
