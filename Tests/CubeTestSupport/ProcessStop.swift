import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Sends `signal` and waits for the process to end (at most `seconds`, polling every 5 ms);
    /// after that it is killed with SIGKILL and reaped.
    /// - Returns: the termination status, or -1 when it had to be killed.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, seconds: Double) -> Int32 {
        if isRunning { kill(processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(5_000) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
            return -1
        }
        return terminationStatus
    }

    /// Kills the process with SIGKILL if it still runs and reaps it.
    public func killIfRunning() {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
    }
}
