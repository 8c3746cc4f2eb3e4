#if canImport(Glibc)
import Glibc
#endif

/// What is left of a zenka's process group after its main process ended: helpers that ignored
/// SIGTERM, or that were running when it died. They get what a stop gives: SIGKILL at the
/// deadline (docs/security.md "Zenki started by the manager", "Stopping").
struct LingeringGroup: Sendable {
    /// The process group id (the main process's pid: each zenka leads a session of its own).
    let group: pid_t
    let name: String
    /// Monotonic ns after which the group is killed.
    let deadline: UInt64

    /// Whether any process of the group is still there.
    var isAlive: Bool { kill(-group, 0) == 0 || errno == EPERM }
}
