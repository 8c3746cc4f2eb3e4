import CCubeSystem
import CubeCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`) against `limits.sessions`: every session
/// is a descriptor, and a cube out of descriptors can neither accept a connection nor read the
/// user database to log one in (docs/security.md "Logins when the machine runs short").
package enum DescriptorLimit {
    /// Descriptors kept for what is not a session: listeners, event loops, the database,
    /// the mount, zenki's pipes, metrics scrapes, a look-up of the user database.
    package static let reserve: UInt64 = 256

    /// The soft limit the cube was started with when ``raise()`` raised it; 0 when it did not.
    private static let inherited = Atomic<UInt64>(0)

    /// Raises the soft limit to the hard one, as a server that may hold thousands of
    /// connections should (systemd's default soft limit is 1024, its hard one far higher).
    /// - Returns: the soft limit before and after; nil when it cannot be read (then nothing is
    ///   capped: a limit read as 0 would leave one session).
    package static func raise() -> (before: UInt64, after: UInt64)? {
        var limits = rlimit()
        guard getrlimit(openFiles, &limits) == 0 else { return nil }
        let before = UInt64(limits.rlim_cur)
        // An unlimited hard limit (RLIM_INFINITY, all ones) cannot be the soft one: the kernel
        // caps descriptors at fs.nr_open.
        let wanted = limits.rlim_max == rlim_t.max ? rlim_t(1 << 20) : limits.rlim_max
        guard wanted > limits.rlim_cur else { return (before, before) }
        limits.rlim_cur = wanted
        guard setrlimit(openFiles, &limits) == 0 else { return (before, before) }
        inherited.store(before, ordering: .relaxed)
        return (before, UInt64(wanted))
    }

    /// Gives a program the cube just started the soft limit the cube itself was started with,
    /// as systemd advises for servers that raise theirs: a program that uses `select(2)` must
    /// not get descriptors past 1023, and one that closes every descriptor up to the limit
    /// would loop a million times (docs/security.md "Logins when the machine runs short").
    /// `posix_spawn` cannot set limits, so this runs just after it: the program may run its
    /// first instructions with the raised limit.
    package static func restoreInherited(in child: pid_t) {
        let soft = inherited.load(ordering: .relaxed)
        guard soft > 0 else { return }
        // Best effort: a child that already exited has nothing left to limit.
        _ = CCubeSystem_set_open_file_soft_limit(child, soft)
    }

    /// The sessions `configured` allows within `limit` descriptors: all of them when the
    /// limit leaves ``reserve`` over, else the limit less the reserve (half the limit when
    /// that is too small).
    package static func sessions(_ configured: Int, limit: UInt64) -> Int {
        let usable = limit > 2 * reserve ? limit - reserve : limit / 2
        return max(1, min(configured, Int(clamping: usable)))
    }

    /// Caps `configuration`'s `limits.sessions` to what `limit` descriptors allow, with a
    /// warning that says so, so that the last sessions get `!TERM! too many sessions` instead of
    /// a connection nobody answers (docs/protocol.md §1).
    package static func fit(_ configuration: inout CubeConfiguration, limit: UInt64) {
        let configured = configuration.limits.sessions
        let fitted = sessions(configured, limit: limit)
        guard fitted < configured else { return }
        configuration.limits.sessions = fitted
        configuration.warnings.append(
            "limits.sessions \(configured) needs more open files than this process may have (\(limit)): "
                + "at most \(fitted) sessions; raise the limit (LimitNOFILE= in the systemd unit, ulimit -n)")
    }

    /// `RLIMIT_NOFILE` as Glibc's `getrlimit` takes it.
    private static var openFiles: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
