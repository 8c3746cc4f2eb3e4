#if canImport(Glibc)
import Glibc
#endif

/// Clears the signal mask inherited from the parent.
///
/// A process started by Foundation's `Process` inherits a blocked SIGTERM
/// (swift-corelibs-foundation#4772); without this, `kill -TERM` would never reach us.
enum SignalMask {
    static func clear() {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
    }
}
