import Logging

/// A stderr log handler, text or JSON (`--log-format`), whose level is the shared
/// ``LogLevelSwitch`` (a reload changes it for every logger at once).
struct SwitchedLogHandler: LogHandler {
    private var stream: any LogHandler
    let levels: LogLevelSwitch

    init(label: String, levels: LogLevelSwitch, format: LogFormat = .text) {
        switch format {
        case .text: stream = StreamLogHandler.standardError(label: label)
        case .json: stream = JSONLogHandler(label: label, logLevel: .trace)
        }
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
