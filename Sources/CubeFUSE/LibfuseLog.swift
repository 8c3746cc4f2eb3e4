import CFuse3
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Routes libfuse's own log messages to swift-log (`fuse_set_log_func` is process-global).
enum LibfuseLog {
    /// The logger libfuse messages go to; the most recent mount's logger wins.
    private static let logger = Mutex<Logger?>(nil)

    static func install(_ newLogger: Logger) {
        logger.withLock { $0 = newLogger }
        fuse_set_log_func { level, format, arguments in
            guard let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 1024)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            let message = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines()
            LibfuseLog.emit(level: level, message: message)
        }
    }

    fileprivate static func emit(level: fuse_log_level, message: String) {
        guard let logger = logger.withLock({ $0 }) else { return }
        let swiftLevel: Logger.Level =
            switch level {
            case FUSE_LOG_EMERG, FUSE_LOG_ALERT, FUSE_LOG_CRIT: .critical
            case FUSE_LOG_ERR: .error
            case FUSE_LOG_WARNING: .warning
            case FUSE_LOG_NOTICE: .notice
            case FUSE_LOG_INFO: .info
            default: .debug
            }
        logger.log(level: swiftLevel, "\(message)", metadata: ["source": "libfuse"])
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var result = Substring(self)
        while result.last == "\n" { result = result.dropLast() }
        return String(result)
    }
}
