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

    /// Reads one `(<id>)SIZE <n>` reply and returns its body.
    private func readSized(_ socket: RawSocket) -> String {
        let header = socket.readLine()
        guard let size = header.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else { return header }
        return String(decoding: socket.read(count: size), as: UTF8.self)
    }
}
