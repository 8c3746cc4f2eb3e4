#if canImport(Glibc)
    import Glibc
#endif

/// A POSIX error number returned by a ``FileSystem`` and sent to the kernel unchanged.
///
/// Names follow swift-system's `Errno` so that code can move between the two.
package struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The positive errno value, e.g. `ENOENT`.
    package let rawValue: Int32

    /// Wraps a positive errno value.
    /// - Parameter rawValue: The errno value, e.g. `ENOENT`.
    package init(rawValue: Int32) { self.rawValue = rawValue }

    /// `EPERM`: the operation is refused, e.g. create or rename in a synthetic tree.
    package static let notPermitted = Errno(rawValue: EPERM)
    /// `ENOENT`: no such entry.
    package static let noSuchFileOrDirectory = Errno(rawValue: ENOENT)
    /// `EINTR`: the request was interrupted by a signal.
    package static let interrupted = Errno(rawValue: EINTR)
    /// `EIO`: input/output error; also sent for a request dropped without a reply.
    package static let ioError = Errno(rawValue: EIO)
    /// `EBADF`: the handle is not valid for the operation.
    package static let badFileDescriptor = Errno(rawValue: EBADF)
    /// `EAGAIN`: nothing to read now and the reader asked not to block (`O_NONBLOCK`).
    package static let resourceTemporarilyUnavailable = Errno(rawValue: EAGAIN)
    /// `EACCES`: the requester may not do this.
    package static let permissionDenied = Errno(rawValue: EACCES)
    /// `EEXIST`: the entry already exists.
    package static let fileExists = Errno(rawValue: EEXIST)
    /// `ENOTDIR`: a directory operation on a non-directory.
    package static let notDirectory = Errno(rawValue: ENOTDIR)
    /// `EISDIR`: a file operation on a directory.
    package static let isDirectory = Errno(rawValue: EISDIR)
    /// `EINVAL`: invalid argument, e.g. an unparsable line.
    package static let invalidArgument = Errno(rawValue: EINVAL)
    /// `ENOSYS`: the operation is not implemented.
    package static let noFunction = Errno(rawValue: ENOSYS)
    /// `EMSGSIZE`: a message (line) is too long.
    package static let messageTooLong = Errno(rawValue: EMSGSIZE)
    /// `ENOSPC`: no space left, e.g. an offer without the capacity asked for.
    package static let noSpace = Errno(rawValue: ENOSPC)
    /// `EDQUOT`: a quota is used up, e.g. an account without credit.
    package static let quotaExceeded = Errno(rawValue: EDQUOT)
    /// `ENOMEM`: the cube may hold no more for the caller (`limits.memory.user`, `limits.memory`).
    package static let outOfMemory = Errno(rawValue: ENOMEM)
    /// `EMFILE`: the caller holds as many open files as it may (the mount's per-user bound).
    package static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// `ENOTCONN`: the transport (e.g. a dead FUSE connection) is not connected.
    package static let notConnected = Errno(rawValue: ENOTCONN)

    /// The C library's message for this error number.
    package var description: String { String(cString: strerror(rawValue)) }
}
