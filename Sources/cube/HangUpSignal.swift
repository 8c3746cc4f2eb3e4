import Dispatch
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP does not stop the cube (docs/filesystem.md, "Unmounting"; docs/security.md, "Resource limits").
///
/// Closing the terminal that runs `cube run` sends SIGHUP; its default action would end the
/// cube at once, without unmounting or removing its socket. There is no configuration reload
/// yet, so the cube logs the signal and keeps serving; SIGTERM and SIGINT stop it cleanly.
/// Children get the default action back (the manager resets it when it spawns a zenka).
enum HangUpSignal {
    /// Ignores SIGHUP from now on and logs each one.
    /// - Returns: the signal source; cancel it when the cube stops.
    static func ignore(logger: Logger) -> any DispatchSourceSignal {
        // Ignored first: a dispatch signal source only observes, it does not stop the default action.
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            logger.warning("SIGHUP received: configuration reload is not supported yet; still running (stop with SIGTERM)")
        }
        source.resume()
        return source
    }
}
