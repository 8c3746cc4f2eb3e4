/// How to mount a ``FileSystem``.
package struct MountOptions: Sendable, Hashable {
    /// Let other users enter the mount (`allow_other`); adds `default_permissions`, so the kernel
    /// checks mode bits. Needs root or `user_allow_other` in `/etc/fuse.conf`.
    package var allowOther: Bool
    /// Shown as the mount source in `mount`/`df` (commas are replaced).
    package var fsname: String
    /// Shown as `fuse.<subtype>` in `mount` (commas are replaced).
    package var subtype: String
    /// Clear a stale (crashed) FUSE mount at the mount point before mounting.
    package var clearStaleMount: Bool
    /// How long ``FUSEMount/unmount()`` keeps serving `flush`/`release` after ending parked reads,
    /// so readers that got end-of-file can close cleanly before the connection is cut.
    package var drainTimeout: Duration
    /// Further `-o` options passed to libfuse verbatim.
    package var extraOptions: [String]

    /// Creates mount options.
    /// - Parameters:
    ///   - allowOther: Let other users in (adds `default_permissions`).
    ///   - fsname: Mount source name.
    ///   - subtype: File system subtype.
    ///   - clearStaleMount: Clear a stale FUSE mount first.
    ///   - drainTimeout: Grace period for open files at unmount.
    ///   - extraOptions: Further `-o` options.
    package init(
        allowOther: Bool = false, fsname: String = "cube", subtype: String = "cube", clearStaleMount: Bool = true,
        drainTimeout: Duration = .milliseconds(250), extraOptions: [String] = []
    ) {
        self.allowOther = allowOther
        self.fsname = fsname
        self.subtype = subtype
        self.clearStaleMount = clearStaleMount
        self.drainTimeout = drainTimeout
        self.extraOptions = extraOptions
    }

    /// The `-o` option string for libfuse.
    var optionString: String {
        var options = [
            "fsname=" + fsname.replacingCommas(),
            "subtype=" + subtype.replacingCommas(),
        ]
        if allowOther { options += ["allow_other", "default_permissions"] }
        return (options + extraOptions).joined(separator: ",")
    }
}

extension String {
    fileprivate func replacingCommas() -> String {
        String(map { $0 == "," ? "_" : $0 })
    }
}
