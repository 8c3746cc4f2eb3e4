#if canImport(Glibc)
    import Glibc
#endif

/// Whether this machine can mount FUSE file systems.
package enum FUSEEnvironment {
    /// `/dev/fuse` is readable and writable and `fusermount3` is on `PATH` (or in `/usr/bin`, `/bin`).
    package static var isAvailable: Bool {
        access("/dev/fuse", R_OK | W_OK) == 0 && fusermountPath != nil
    }

    /// The full path of `fusermount3`, if found.
    package static var fusermountPath: String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        return directories.map { $0 + "/fusermount3" }.first { access($0, X_OK) == 0 }
    }
}
