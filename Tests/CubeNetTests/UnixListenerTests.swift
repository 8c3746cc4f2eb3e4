@testable import CubeNet
import CubeTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What ``UnixListener`` does with an accepted descriptor it cannot hand to an event loop:
/// the descriptor is closed (the peer reads end of file) and the loop's share is given back,
/// so a failing hand-off leaks no descriptor (docs/security.md "Resource limits").
///
/// The proof per connection is the peer's end of file: the listener's descriptor is the only
/// other end of the socket (accepted close-on-exec), so end of file means it was closed, even
/// while other suites of this process open and close descriptors of their own.
@Suite(.serialized) struct UnixListenerTests {
    /// Connections per case.
    static let connections = 64

    @Test func aChannelThatFailsToSetUpClosesItsDescriptor() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        struct Refused: Error {}
        try exercise(loops: [group.next()]) { bootstrap, _, _ in
            bootstrap.channelInitializer { channel in channel.eventLoop.makeFailedFuture(Refused()) }
        }
    }

    @Test func aLoopThatIsGoneClosesTheDescriptor() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        try group.syncShutdownGracefully()
        try exercise(loops: [loop]) { bootstrap, _, _ in bootstrap }
    }

    /// A connection the TCP listener accepts (a link another node dialled, a remote client)
    /// has Nagle's algorithm off, like the links this node dials: a small reply does not wait
    /// for the acknowledgement of the one before.
    @Test func acceptedTCPConnectionsHaveNoDelay() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let port = try FreePort.next()
        let listener = try UnixListener(tcpHost: "127.0.0.1", port: port, loops: [group.next()])
        defer { listener.close() }
        let seen = NIOLockedValueBox<[Int32]>([])
        listener.start { bootstrap, descriptor, _ in
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
            seen.withLockedValue { $0.append(value) }
            return bootstrap
        }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(client) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        for _ in 0..<200 where seen.withLockedValue({ $0.isEmpty }) { usleep(10_000) }
        #expect(seen.withLockedValue { $0 } == [1])
    }

    /// Connects ``connections`` clients to a listener whose hand-off fails, and expects every
    /// one to read end of file, every share to come back and the process's descriptors
    /// (`/proc/self/fd`) not to grow with the count.
    private func exercise(loops: [any EventLoop],
                          _ configure: @escaping @Sendable (ClientBootstrap, CInt, @escaping @Sendable () -> Void) -> ClientBootstrap) throws {
        let path = NSTemporaryDirectory() + "listener-\(UUID().uuidString.prefix(8)).sock"
        let listener = try UnixListener(path: path, mode: 0o600, loops: loops)
        defer {
            listener.close()
            unlink(path)
        }
        listener.start(configure)
        let before = Self.openDescriptors()
        for number in 0..<Self.connections {
            let client = try #require(Self.connect(path), "connection \(number)")
            defer { Glibc.close(client) }
            #expect(Self.readsEndOfFile(client), "connection \(number): the listener kept its descriptor")
        }
        var released = false
        for _ in 0..<200 {
            released = listener.openConnections.allSatisfy { $0 == 0 }
            if released { break }
            usleep(10_000)
        }
        #expect(released, "loop shares: \(listener.openConnections)")
        let after = Self.openDescriptors()
        // Other suites may hold a few descriptors meanwhile; a leak is one per connection.
        #expect(after - before < Self.connections / 2, "descriptors \(before) → \(after)")
    }

    private static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    private static func connect(_ path: String) -> CInt? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, var address = UnixSocketFile.address(of: path) else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// Whether `fd` reads end of file within 5 s.
    private static func readsEndOfFile(_ fd: CInt) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 5_000) > 0 else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }
}
