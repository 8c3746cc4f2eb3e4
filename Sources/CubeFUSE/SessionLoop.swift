import CFuse3
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The single-threaded request loop, built on libfuse's custom event loop API
/// (`fuse_session_fd` + `fuse_session_receive_buf` + `fuse_session_process_buf`).
///
/// Why not `fuse_session_loop`: in libfuse 3.14 it sits in `read(2)` on `/dev/fuse`, and
/// `fuse_session_exit` does not wake it; only the next kernel request would. This loop `poll(2)`s
/// the FUSE descriptor together with a self-pipe, so ``wake()`` ends it at once, without signals
/// and without touching the mount. It also ends by itself when the kernel closes the connection
/// (`fusermount3 -u`, `umount`): `receive_buf` then returns 0.
///
/// A lazy unmount (`fusermount3 -u -z`) does not close the connection while files are open:
/// a reader parked on a stream would wait for ever. So ``watchMountTable()``, on a thread of its
/// own, polls `/proc/self/mountinfo`, which reports `POLLPRI` whenever the mount table changes,
/// and calls `onMountTableChange` then. It is not in the request loop's `poll` set: each poll
/// on it enters the mount namespace's wait queue, twice per `cmd` → `out` round trip
/// (docs/performance.md "The mount's round trip").
final class SessionLoop: Sendable {
    private let session: SessionPointer
    private let logger: Logger
    /// Self-pipe: [read end, write end]; closed in `deinit`, after the loop thread was joined.
    private let wakePipe: (read: Int32, write: Int32)
    /// `/proc/self/mountinfo`, or -1 when it cannot be opened (`poll` skips it).
    private let mountTable: Int32
    private let onMountTableChange: @Sendable () -> Void

    init(session: SessionPointer, logger: Logger, onMountTableChange: @escaping @Sendable () -> Void = {}) throws(Errno) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Errno(rawValue: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        self.session = session
        self.logger = logger
        self.wakePipe = (fds[0], fds[1])
        self.mountTable = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
        self.onMountTableChange = onMountTableChange
    }

    deinit {
        close(wakePipe.read)
        close(wakePipe.write)
        if mountTable >= 0 { close(mountTable) }
    }

    /// Runs until ``wake()`` or until the kernel ends the connection. Call on a dedicated thread.
    func run() {
        let fuseFD = fuse_session_fd(session.raw)
        var buffer = fuse_buf()
        defer { free(buffer.mem) }
        var fds = [
            pollfd(fd: fuseFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while fuse_session_exited(session.raw) == 0 {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("poll on /dev/fuse failed", metadata: ["errno": "\(errno)"])
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let received = fuse_session_receive_buf(session.raw, &buffer)
            if received == -EINTR || received == -EAGAIN { continue }
            if received <= 0 {
                if received < 0 { logger.error("reading /dev/fuse failed", metadata: ["errno": "\(-received)"]) }
                return
            }
            fuse_session_process_buf(session.raw, &buffer)
        }
    }

    /// Handles one request that a ``FUSERequestSource`` read: what ``run()`` does after its
    /// `fuse_session_receive_buf`. libfuse parses the bytes in place and replies itself (`writev`
    /// on the session's descriptor).
    func process(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var buffer = fuse_buf()
        buffer.size = bytes.count
        buffer.fd = -1
        // libfuse only reads a memory buffer (`fuse_session_process_buf` without splice).
        buffer.mem = UnsafeMutableRawPointer(mutating: base)
        fuse_session_process_buf(session.raw, &buffer)
    }

    /// Calls `onMountTableChange` whenever the mount table changes, until ``wake()``. Call on a
    /// dedicated thread; returns at once if `/proc/self/mountinfo` could not be opened.
    func watchMountTable() {
        guard mountTable >= 0 else { return }
        var fds = [
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
            // Not POLLIN: procfs mount files are always readable. A change shows as POLLPRI|POLLERR.
            pollfd(fd: mountTable, events: Int16(POLLPRI), revents: 0),
        ]
        while true {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("poll on /proc/self/mountinfo failed", metadata: ["errno": "\(errno)"])
                return
            }
            // The wake byte is never read, so both this and the request loop see it.
            if fds[0].revents != 0 { return }
            if fds[1].revents != 0 { onMountTableChange() }
        }
    }

    /// Makes ``run()`` and ``watchMountTable()`` return after the request it is handling, from any thread.
    func wake() {
        fuse_session_exit(session.raw)
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }
}
