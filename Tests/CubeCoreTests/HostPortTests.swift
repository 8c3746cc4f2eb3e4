import CubeCore
import Testing

/// `HOST:PORT` and `tcp:HOST:PORT`, as configuration keys, `--listen`, `--peer` and `link` take them.
@Suite struct HostPortTests {
    @Test func parsesHostsAndPorts() {
        #expect(HostPort("127.0.0.1:7007") == HostPort("127.0.0.1:7007"))
        #expect(HostPort("127.0.0.1:7007")?.host == "127.0.0.1")
        #expect(HostPort("127.0.0.1:7007")?.port == 7007)
        #expect(HostPort("[::1]:7007")?.host == "[::1]")
        #expect(HostPort("[::1]:7007")?.bareHost == "::1")
        #expect(HostPort("node.example:1")?.bareHost == "node.example")
        for bad in ["", "7007", ":7007", "host:", "host:0", "host:65536", "host:x", "host:-1"] {
            #expect(HostPort(bad) == nil, "\(bad)")
        }
    }

    @Test func peerAddressesNeedTheTcpPrefixAHostAndAPort() {
        #expect(PeerAddress("tcp:127.0.0.1:7007")?.description == "tcp:127.0.0.1:7007")
        #expect(PeerAddress("tcp:[::1]:7007")?.description == "tcp:[::1]:7007")
        #expect(PeerAddress("tcp:[::1]:7007")?.hostPort.bareHost == "::1")
        #expect(PeerAddress("tcp:[::1]:7007")?.hostPort.port == 7007)
        // `tcp:80` once trapped: its only colon after the prefix is the prefix's own.
        for bad in ["tcp:80", "tcp:", "tcp::80", "udp:h:80", "tcp:a b:80", "h:80", "tcp:h:99999"] {
            #expect(PeerAddress(bad) == nil, "\(bad)")
        }
        if let b = PeerAddress("tcp:b:2"), let c = PeerAddress("tcp:c:1") { #expect(b < c) } else { Issue.record("unparsed") }
    }
}
