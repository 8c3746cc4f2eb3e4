import CCubeSystem
import CubeCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The cube's unix socket: accepts on a thread of its own and hands each connection to the
/// event loop that ``LoopShares`` picks for the peer's uid (docs/architecture.md "Threads").
///
/// NIO's `ServerBootstrap` picks a child's loop before anything about the peer is known, so
/// the listener accepts itself: it reads `SO_PEERCRED` from the new descriptor and registers
/// it on that uid's loop with `ClientBootstrap.withConnectedSocket`. All sessions of one user
/// share a loop, and a new user goes to the least busy one: a user closing 10,000 sessions at
/// once keeps its own loop busy, not everybody's (docs/security.md "Resource limits").
///
/// The TCP listener is one too (``init(tcpHost:port:loops:)``, UnixListener+TCP.swift): a
/// connection whose descriptor the cube knows can park when idle (``IdleParking``), and NIO's
/// `ServerBootstrap` does not tell a child's descriptor. TCP connections have no uid; each
/// goes to the loop with the fewest connections.
final class UnixListener: @unchecked Sendable {
    private let descriptor: CInt
    private let loops: [any EventLoop]
    private let shares: NIOLockedValueBox<LoopShares>
    /// Unix: connections share a loop per peer uid. TCP (false): each is a peer of its own.
    private let byPeerUID: Bool
    /// The next key of a TCP connection in ``shares``.
    private let nextKey = NIOLockedValueBox<UInt32>(0)
    /// Set by ``close()``; the accept thread polls with a short timeout and ends.
    private let stopping = NIOLockedValueBox(false)
    /// Whether ``start(_:)`` started the accept thread (``close()`` waits for it only then).
    private let started = NIOLockedValueBox(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Binds `path` (prepared by ``UnixSocketFile/prepare(_:)``) with a backlog of 256.
    /// - Parameter shares: The loops' shares when others take some too (``NetworkLoop/shares``: the mount).
    convenience init(path: String, mode: UInt32, loops: [any EventLoop], shares: NIOLockedValueBox<LoopShares>? = nil) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        guard var address = UnixSocketFile.address(of: path) else {
            Glibc.close(fd)
            throw IOError(errnoCode: ENAMETOOLONG, reason: "unix socket path too long: \(path)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "bind/listen \(path)")
        }
        chmod(path, mode_t(mode))
        self.init(listening: fd, loops: loops, byPeerUID: true, shares: shares)
    }

    /// Accepts on `fd` (bound and listening, non-blocking; closed by ``close()``); `shares`
    /// as above (nil: its own).
    init(listening fd: CInt, loops: [any EventLoop], byPeerUID: Bool, shares: NIOLockedValueBox<LoopShares>? = nil) {
        descriptor = fd
        self.loops = loops
        self.byPeerUID = byPeerUID
        self.shares = shares ?? NIOLockedValueBox(LoopShares(loops: loops.count))
    }

    /// Accepts until ``close()``; `bootstrap` configures the channel of each connection
    /// (options and handlers; its descriptor is passed along, for parking) and `ended` is
    /// called when it closes.
    func start(_ bootstrap: @escaping @Sendable (ClientBootstrap, _ descriptor: CInt,
                                                 _ ended: @escaping @Sendable () -> Void) -> ClientBootstrap) {
        let thread = Thread { [self] in
            defer { finished.signal() }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while !stopping.withLockedValue({ $0 }) {
                guard poll(&poller, 1, 200) > 0 else { continue }
                while true {
                    let fd = CCubeSystem_accept_cloexec(descriptor)
                    if fd < 0 {
                        // EAGAIN: all taken. EMFILE and the like: the poll's timeout paces the retry.
                        if errno == EINTR || errno == ECONNABORTED { continue }
                        if errno != EAGAIN && errno != EWOULDBLOCK { usleep(10_000) }
                        break
                    }
                    hand(fd, bootstrap)
                }
            }
        }
        thread.name = "cube-accept"
        started.withLockedValue { $0 = true }
        thread.start()
    }

    /// Open connections per loop (what ``LoopShares`` counts).
    var openConnections: [Int] { shares.withLockedValue { $0.connections } }

    /// Registers `fd` on its peer's loop; when that fails, the descriptor is closed and the
    /// loop's share given back.
    private func hand(_ fd: CInt,
                      _ bootstrap: @escaping @Sendable (ClientBootstrap, CInt, _ ended: @escaping @Sendable () -> Void) -> ClientBootstrap) {
        let uid = byPeerUID ? Self.peerUID(fd) : nextKey.withLockedValue { key in
            defer { key &+= 1 }
            return key
        }
        let (index, ended) = shares.reserve(uid)
        // Wrapped on the loop's own thread: a loop that is gone drops the task, and the
        // hand-off closes the descriptor (DescriptorHandOff); once taken, NIO closes it on
        // every failure after wrapping it (its only earlier one, making an open socket
        // non-blocking, cannot fail). The bootstrap is made there too: it is not Sendable.
        let loop = loops[index]
        let handOff = DescriptorHandOff(fd, abandoned: ended)
        loop.execute {
            guard let fd = handOff.take() else { return }
            bootstrap(ClientBootstrap(group: loop), fd, ended).withConnectedSocket(fd).whenFailure { _ in ended() }
        }
    }

    /// The peer's uid (`SO_PEERCRED`); a uid no user has when it cannot be read.
    private static func peerUID(_ fd: CInt) -> UInt32 {
        /// Linux `struct ucred` (not imported by Glibc without `_GNU_SOURCE`).
        struct UCred {
            var pid: Int32 = 0
            var uid = UInt32.max
            var gid: UInt32 = 0
        }
        var credentials = UCred()
        var length = socklen_t(MemoryLayout<UCred>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length)
        return credentials.uid
    }

    /// Stops accepting and closes the listening socket (connections stay).
    func close() {
        stopping.withLockedValue { $0 = true }
        if started.withLockedValue({ $0 }) { finished.wait() }
        Glibc.close(descriptor)
    }
}
