import NIOCore
#if canImport(Glibc)
import Glibc
#endif

extension UnixListener {
    /// The TCP listener of `socket.tcp.listen`: `host` resolved (the first address), bound with
    /// `SO_REUSEADDR` and a backlog of 256, connections spread over `loops` by their count.
    /// `TCP_NODELAY` is set on the listening socket, which every accepted connection inherits
    /// (a link dialled by another node, a remote client): no Nagle delay for a small write while
    /// an earlier one is unacknowledged, as on the links this node dials (LinkService).
    convenience init(tcpHost host: String, port: Int, loops: [any EventLoop]) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let family = address.protocol.rawValue
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { bind(fd, $0, socklen_t($1)) }
        guard bound == 0, listen(fd, 256) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "bind/listen \(host):\(port)")
        }
        self.init(listening: fd, loops: loops, byPeerUID: false)
    }
}
