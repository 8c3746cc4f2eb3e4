import CubeAuth
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Discovery on a real segment (issue 7 item 4): three cubes in two network namespaces joined by
/// a veth pair, no configured peers. The two that trust each other must link by themselves; the
/// third, whose key neither lists, must be heard, refused and never linked.
@Suite(.serialized) struct DiscoveryNetnsTests {
    @Test(.enabled(if: DiscoveryNetns.unavailableReason == nil, "needs root, iproute2 and network namespaces"))
    func trustedNodesOnOneSegmentLinkByThemselvesAndAStrangerDoesNot() throws {
        let netns = try DiscoveryNetns()
        defer { netns.tearDown() }
        let one = IdentityKey.generate()
        let two = IdentityKey.generate()
        let stranger = IdentityKey.generate()
        let (a, b) = (netns.addresses.a, netns.addresses.b)

        // The stranger starts first, so both others hear it for a while; it trusts them and
        // would link to them, but neither lists its key.
        _ = try netns.startCube(name: "n3", namespace: netns.namespaces.b, interface: netns.interfaces.b,
                                listen: "tcp:\(b):7103", identity: stranger,
                                trusted: [("n1", one.publicKey), ("n2", two.publicKey)])
        let n1 = try netns.startCube(name: "n1", namespace: netns.namespaces.a, interface: netns.interfaces.a,
                                     listen: "tcp:\(a):7101", identity: one, trusted: [("n2", two.publicKey)])
        let launched = Date()
        let n2 = try netns.startCube(name: "n2", namespace: netns.namespaces.b, interface: netns.interfaces.b,
                                     listen: "tcp:\(b):7102", identity: two, trusted: [("n1", one.publicKey)])

        // The unix socket is a path: reachable from here although the cube runs in a namespace.
        let client = try RawSocket(path: n1.socketPath)
        #expect(client.loginUnix())
        var reply = ""
        let deadline = Date().addingTimeInterval(15)
        repeat {
            client.send("(1)n2.name\n")
            reply = client.readLine()
            if reply == "(1)TRUE n2\n" { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(reply == "(1)TRUE n2\n", "n1 never reached n2: \(reply)\nn1 log:\n\(n1.log)\nn2 log:\n\(n2.log)")
        print("discovery: n1 reached n2 \(Int(Date().timeIntervalSince(launched) * 1000)) ms after n2 was launched")

        // Positive control: the stranger's announcements did arrive, and were refused.
        let refusal = "discovery announcement refused"
        let heard = Date().addingTimeInterval(5)
        while !(n1.log.contains(refusal) && n2.log.contains(refusal)), Date() < heard { usleep(100_000) }
        for node in [n1, n2] {
            let lines = node.log.split(separator: "\n").filter { $0.contains(refusal) }
            #expect(lines.contains { $0.contains("node=n3") && $0.contains("not trusted") },
                    "\(node.name) did not log refusing n3:\n\(node.log)")
            #expect(!lines.contains { !$0.contains("node=n3") }, "\(node.name) refused a trusted node:\n\(node.log)")
        }

        client.send("(2)n3.name\n")
        #expect(client.readLine().hasPrefix("(2)FALSE "))
        client.send("(3)links\n")
        let links = readSized(client)
        // Whichever side heard the other first dialled; the other saw the link and did not add a spare.
        #expect(links.split(separator: "\n").contains { $0.hasPrefix("n2 ") }, "links: \(links)")
        #expect(!links.contains("n3") && !links.contains(":7103"), "links: \(links)")
    }

    /// Discovery follows a node key rotation (issue 19; docs/security.md, "Node key rotation").
    /// n1 has no TCP listener, so only it dials, and its nodes file lists n2's old key; n2 runs
    /// with its rotated key and the proof. n1 learns the proof by dialling n2's configured
    /// address. Then n2 moves to a port only its announcements name: n1 must accept them under
    /// the new key and link there; and n2 back on its old key (within the grace) again.
    @Test(.enabled(if: DiscoveryNetns.unavailableReason == nil, "needs root, iproute2 and network namespaces"))
    func discoveryFollowsALearnedRotationAndTheRetiredKeyWithinItsGrace() throws {
        let netns = try DiscoveryNetns()
        defer { netns.tearDown() }
        let one = IdentityKey.generate()
        let old = IdentityKey.generate()
        let new = IdentityKey.generate()
        let b = netns.addresses.b
        let proofPath = netns.directory.appendingPathComponent("n2.rotation").path
        try (KeyRotation.issue(from: old, to: new.publicKey, issued: Int64(time(nil))).text + "\n")
            .write(toFile: proofPath, atomically: true, encoding: .utf8)
        func startN2(port: Int, key: IdentityKey, rotated: Bool) throws -> DiscoveryNetns.Node {
            try netns.startCube(name: "n2", namespace: netns.namespaces.b, interface: netns.interfaces.b,
                                listen: "tcp:\(b):\(port)", identity: key, trusted: [("n1", one.publicKey)],
                                extra: rotated ? "auth.c25519.rotation = \(proofPath)" : "")
        }
        var n2 = try startN2(port: 7202, key: new, rotated: true)
        let n1 = try netns.startCube(name: "n1", namespace: netns.namespaces.a, interface: netns.interfaces.a,
                                     listen: nil, identity: one, trusted: [("n2", old.publicKey)],
                                     extra: "network.peers = tcp:\(b):7202")
        let client = try RawSocket(path: n1.socketPath)
        #expect(client.loginUnix())
        var id = 0
        /// Waits until n1 reaches n2 over a link to `port`.
        func expectLinked(port: Int, _ what: String) {
            func linked(_ links: String) -> Bool {
                links.split(separator: "\n").contains { row in
                    row.hasPrefix("n2 ") && row.contains(":\(port) ") && row.split(separator: " ").contains("up")
                }
            }
            var links = ""
            let deadline = Date().addingTimeInterval(20)
            repeat {
                id += 1
                client.send("(\(id))links\n")
                links = readSized(client)
                if linked(links) { break }
                usleep(200_000)
            } while Date() < deadline
            #expect(linked(links), "\(what): n1 never linked to n2 at :\(port): \(links)\nn1 log:\n\(n1.log)\nn2 log:\n\(n2.log)")
            id += 1
            client.send("(\(id))n2.name\n")
            #expect(client.readLine() == "(\(id))TRUE n2\n", "\(what)")
        }
        expectLinked(port: 7202, "configured peer, rotated key")

        // n2 moves: the configured address is dead, only n2's new-key announcements name 7203.
        netns.stop(n2)
        var started = Date()
        n2 = try startN2(port: 7203, key: new, rotated: true)
        expectLinked(port: 7203, "discovered under the new key")
        print("discovery: n1 linked to n2's new key at its new address \(Int(Date().timeIntervalSince(started) * 1000)) ms after n2 was launched")

        // n2 rolled back to its retired key, within the grace (a day): still n2's, here too.
        netns.stop(n2)
        started = Date()
        n2 = try startN2(port: 7204, key: old, rotated: false)
        expectLinked(port: 7204, "discovered under the retired key within the grace")
        print("discovery: n1 linked to n2's retired key \(Int(Date().timeIntervalSince(started) * 1000)) ms after n2 was launched")
    }

    /// Reads one `(<id>)SIZE <n>` reply and returns its body.
    private func readSized(_ socket: RawSocket) -> String {
        let header = socket.readLine()
        guard let size = header.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else { return header }
        return String(decoding: socket.read(count: size), as: UTF8.self)
    }
}
