/// Why mounting or unmounting failed.
package enum FUSEError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The mount point is not an existing directory.
    case notADirectory(path: String)
    /// Something that is not a FUSE mount (or a mount that could not be cleared) sits at the path;
    /// mounting would stack on top of it.
    case mountPointBusy(path: String, fileSystemType: String)
    /// `fuse_session_new` rejected the options.
    case sessionCreationFailed(options: String)
    /// `fuse_session_mount` failed (see the libfuse log for the reason).
    case mountFailed(path: String)
    /// The path is still mounted after `fusermount3 -u`, a lazy unmount, and `umount -l`.
    case unmountFailed(path: String)
    /// A helper thread or pipe could not be created.
    case resourceUnavailable(Errno)

    /// A one-line explanation.
    package var description: String {
        switch self {
        case .notADirectory(let path): "mount point \(path) is not a directory"
        case .mountPointBusy(let path, let type): "\(path) already has a \(type) mount on it"
        case .sessionCreationFailed(let options): "libfuse refused the mount options \(options)"
        case .mountFailed(let path): "mounting FUSE at \(path) failed"
        case .unmountFailed(let path): "could not unmount \(path)"
        case .resourceUnavailable(let errno): "could not start the FUSE session: \(errno)"
        }
    }
}
