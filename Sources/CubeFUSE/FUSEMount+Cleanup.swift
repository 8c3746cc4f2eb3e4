import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension FUSEMount {
    /// Whether anything is mounted exactly at `path` (reads `/proc/self/mountinfo`, never the path).
    /// - Parameter path: The mount point.
    /// - Returns: `true` if at least one mount sits at `path`.
    package static func isMounted(at path: String) -> Bool {
        !MountTable.mounts(at: MountTable.canonical(path)).isEmpty
    }

    /// Clears a FUSE mount left at `path` by a crashed or killed daemon ("Transport endpoint is not
    /// connected"), so a new mount does not stack on top of it.
    ///
    /// Detection: a FUSE entry for `path` in `/proc/self/mountinfo`, or `stat` failing with `ENOTCONN`.
    /// Clearing: `fusermount3 -u`, then `fusermount3 -u -z`, then (as root) `umount2(MNT_DETACH)` and
    /// `umount -l`, until nothing is mounted there. A live FUSE mount (one that still answers)
    /// is left alone: ``FUSEError/mountPointBusy(path:fileSystemType:)``.
    /// Blocking; call off the concurrency pool.
    /// - Parameters:
    ///   - path: The mount point.
    ///   - logger: Reports what was cleared.
    /// - Returns: `true` if a mount was cleared.
    /// - Throws: ``FUSEError/mountPointBusy(path:fileSystemType:)`` if a non-FUSE mount sits there,
    ///   ``FUSEError/unmountFailed(path:)`` if the mount survives every attempt.
    @discardableResult
    package static func clearStaleMount(at path: String, logger: Logger = Logger(label: "CubeFUSE")) throws(FUSEError)
        -> Bool
    {
        let mountPoint = MountTable.canonical(path)
        let mounts = MountTable.mounts(at: mountPoint)
        if let foreign = mounts.first(where: { !$0.isFUSE }) {
            throw .mountPointBusy(path: mountPoint, fileSystemType: foreign.fileSystemType)
        }
        var info = stat()
        let disconnected = stat(mountPoint, &info) != 0 && errno == ENOTCONN
        // A FUSE mount that still answers belongs to a running daemon: never pull it away.
        if let live = mounts.first, !disconnected {
            throw .mountPointBusy(path: mountPoint, fileSystemType: live.fileSystemType)
        }
        guard disconnected else { return false }
        logger.warning("clearing stale FUSE mount", metadata: ["path": "\(mountPoint)"])
        try forceUnmount(mountPoint)
        return true
    }

    /// Unmounts the FUSE mount at `path` from another process (e.g. a `cube unmount` CLI).
    ///
    /// Tries `fusermount3 -u` first; if the mount is busy, detaches it lazily. Prefer asking the
    /// serving daemon to unmount (SIGTERM): it ends parked reads, whereas a lazy detach leaves
    /// blocked readers waiting until the daemon notices. Blocking.
    /// - Parameter path: The mount point.
    /// - Throws: ``FUSEError/mountPointBusy(path:fileSystemType:)`` for a non-FUSE mount,
    ///   ``FUSEError/unmountFailed(path:)`` if it stays mounted.
    package static func unmount(at path: String) throws(FUSEError) {
        let mountPoint = MountTable.canonical(path)
        let mounts = MountTable.mounts(at: mountPoint)
        if let foreign = mounts.first(where: { !$0.isFUSE }) {
            throw .mountPointBusy(path: mountPoint, fileSystemType: foreign.fileSystemType)
        }
        guard !mounts.isEmpty else { return }
        try forceUnmount(mountPoint)
    }

    /// Escalates until no mount is left at `mountPoint` (stacked mounts are removed one by one).
    private static func forceUnmount(_ mountPoint: String) throws(FUSEError) {
        let attempts: [() -> Void] = [
            { _ = HelperCommand.run(["fusermount3", "-u", "-q", mountPoint]) },
            { _ = HelperCommand.run(["fusermount3", "-u", "-q", "-z", mountPoint]) },
            { _ = umount2(mountPoint, Int32(MNT_DETACH)) },
            { _ = HelperCommand.run(["umount", "-l", mountPoint]) },
        ]
        // Round 0 always runs: a disconnected mount may be visible only through ENOTCONN.
        for round in 0..<8 {
            if round > 0 && MountTable.mounts(at: mountPoint).isEmpty { return }
            for attempt in attempts {
                attempt()
                if MountTable.mounts(at: mountPoint).isEmpty { break }
            }
        }
        if !MountTable.mounts(at: mountPoint).isEmpty { throw .unmountFailed(path: mountPoint) }
    }
}
