import Logging

/// A stderr log handler whose level is the shared ``LogLevelSwitch``.
struct SwitchedLogHandler: LogHandler {
    private var stream: StreamLogHandler
    let levels: LogLevelSwitch

    init(label: String, levels: LogLevelSwitch) {
        stream = StreamLogHandler.standardError(label: label)
        self.levels = levels
    }

    var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        stream.log(event: event)
    }
}
