import CubeAuth
import CubeCore
@testable import CubeNet
import CubeRuntime
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where an outbound link runs (docs/performance.md "Across nodes", docs/architecture.md
/// "Threads"): on the event loop of the cube's own uid, held as one more of that uid's
/// connections in ``LoopShares`` while the connection lasts and given back when it closes, so
/// a request arriving on the link reaches a zenka of the cube (same uid, same loop) with no
/// hop between loops.
@Suite(.serialized) struct LinkLoopTests {
    @Test func anOutboundLinkTakesTheCubesOwnUIDLoopAndGivesItsShareBack() async throws {
        let network = NetworkLoop(threads: 2)
        // Another uid holds loop 0, so the cube's own uid (no connection yet) gets loop 1: a
        // link that took any other loop (`group.next()` starts at 0) would not count there.
        let other = UInt32(getuid()) &+ 4242
        let (_, releaseOther) = network.reserve(forUID: other)
        // A peer that accepts (the kernel's backlog does) and never sends its banner: the
        // link's connection stays up in its handshake until it is dropped.
        let (listener, port) = try Self.silentListener()
        defer { Glibc.close(listener) }
        let address = try #require(PeerAddress("tcp:127.0.0.1:\(port)"))
        let links = LinkService(hub: try Self.makeHub(), loop: network, identity: IdentityKey.generate(),
                                trust: LinkTrust(nodes: try KnownNodes(parsing: "")), logger: Logger(label: "link-loop-test"))
        links.keepLinked(address)
        let counted = await Self.waitFor { network.shares.withLockedValue { $0.connections } == [1, 1] }
        #expect(counted, "loop shares while the link is connecting: \(network.shares.withLockedValue { $0.connections })")
        // The cube's own uid is on the link's loop: its next connection goes there too.
        let (loop, releaseOwn) = network.reserve(forUID: UInt32(getuid()))
        #expect(loop === network.loops[1])
        releaseOwn()
        links.drop(address)
        let released = await Self.waitFor { network.shares.withLockedValue { $0.connections } == [1, 0] }
        #expect(released, "loop shares after the link closed: \(network.shares.withLockedValue { $0.connections })")
        releaseOther()
        await network.shutdown()
    }

    /// Polls `condition` for up to 5 s.
    private static func waitFor(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// A listening loopback TCP socket nobody accepts on, and its port.
    private static func silentListener() throws -> (CInt, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        try #require(bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Keys are their own digest (no zenka logs in here).
    private struct Plain: KeyHasher {
        func digest(_ key: [UInt8]) -> [UInt8] { key }
    }

    private static func makeHub() throws -> Hub {
        let text = "node.name = n1\n"
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        return Hub(configuration: configuration, hasher: Plain(), seed: 7, utcOffset: 0,
                   delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "link-loop-test"))
    }
}
