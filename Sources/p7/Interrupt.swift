#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Ctrl-C in the interactive tools: SIGINT only sets a flag, and the waiting loops (which wake
/// at least every ``Conversation/pollInterval``) take it. The handler does nothing else, so it
/// is async-signal-safe.
enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// Installs the handler (without `SA_RESTART`, so a blocking read returns `EINTR`).
    static func install() {
        // Touch the flag here: the first access runs the static initialiser, which a signal
        // handler must not do.
        flag.store(false, ordering: .relaxed)
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.store(true, ordering: .relaxed) }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.flag.store(true, ordering: .relaxed) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent may have started p7 with SIGINT blocked (the mask is inherited).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// True if Ctrl-C was pressed and not yet taken.
    static var isPending: Bool {
        flag.load(ordering: .relaxed)
    }

    /// True if Ctrl-C was pressed since the last call; clears the flag.
    static func take() -> Bool {
        flag.exchange(false, ordering: .relaxed)
    }
}
