import Logging
import Synchronization

/// The cube's log level, shared by every log handler so that a reload (`log.level`) changes
/// it for all loggers at once.
final class LogLevelSwitch: Sendable {
    private let current: Mutex<Logger.Level>

    init(_ level: Logger.Level) {
        current = Mutex(level)
    }

    var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
