#if canImport(Glibc)
    import Glibc
#endif

/// Runs helper programs (`fusermount3`, `umount`) with `posix_spawnp` (no `fork` in Swift) and waits.
/// Blocking: call it off the Swift concurrency pool. Not the manager's `ChildProcess`, which
/// supervises long-running zenki with pipes and threads: this module stays free of Foundation.
enum HelperCommand {
    /// Runs `arguments` (searched in `PATH`) with stdout and stderr discarded and a clean signal mask.
    /// - Parameter arguments: Program and arguments.
    /// - Returns: The exit status, or `nil` if it could not run or was killed.
    static func run(_ arguments: [String]) -> Int32? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid = pid_t()
        guard let program = cArguments.first ?? nil,
            posix_spawnp(&pid, program, &actions, &attributes, &cArguments, environ) == 0
        else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        // WIFEXITED / WEXITSTATUS are macros.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }
}
