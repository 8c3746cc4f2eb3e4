import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waiting for a freshly started cube to serve: to accept on its unix socket and send the
/// 32-byte banner.
public enum CubeServing {
    /// How a wait for the banner ended.
    public enum Outcome: Sendable, Equatable {
        /// A connection got the full banner.
        case serving
        /// `process` ended before the cube served.
        case exited
        /// The deadline passed.
        case timedOut
    }

    /// Probes `socketPath` every `interval` seconds for up to `seconds` (each probe waits at
    /// most 1 s for the banner) while `process` runs.
    public static func wait(
        socketPath: String, process: Process, seconds: Double = 10, interval: Double = 0.01
    ) -> Outcome {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let probe = try? RawSocket(path: socketPath), probe.read(count: 32, timeout: 1).count == 32 { return .serving }
            if !process.isRunning { return .exited }
            usleep(useconds_t(interval * 1_000_000))
        }
        return .timedOut
    }
}
