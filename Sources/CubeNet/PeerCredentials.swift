import CubeCore
import CubeRuntime
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads `SO_PEERCRED` from a unix socket channel and names the peer's uid.
enum PeerCredentials {
    /// Layout of Linux `struct ucred` (not imported by Glibc without `_GNU_SOURCE`).
    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The peer of `channel`, or nil when the socket does not carry credentials.
    static func read(from channel: any Channel) -> EventLoopFuture<PeerIdentity?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { cred in
            let found = UnixUser.lookup(cred.uid)
            return PeerIdentity(uid: cred.uid, gid: cred.gid, pid: cred.pid, userName: found.name,
                                userNameUnavailable: found.failure)
        }.recover { _ -> PeerIdentity? in nil }
    }
}
