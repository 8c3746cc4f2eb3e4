#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// p7's exit codes; scripts depend on them, exactly as with the original client.
enum ExitStatus: Int32 {
    /// `TRUE` (or `GET`, `TERM`, `SIZE`): the command succeeded.
    case success = 0
    /// `FALSE`: the command failed.
    case falseReply = 1
    /// Bad command line.
    case usage = 2
    /// Could not connect or log in.
    case connectFailed = 3
    /// The connection ended or went wrong before the final reply.
    case protocolFailure = 4

    /// Ends the process with this status.
    func exit() -> Never {
        #if canImport(Glibc)
        Glibc.exit(rawValue)
        #else
        Darwin.exit(rawValue)
        #endif
    }
}
