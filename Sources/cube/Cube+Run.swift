import ArgumentParser
import CubeCore
import CubeNet
import Logging
import ServiceLifecycle

extension Cube {
    /// Starts the cube and serves until SIGINT or SIGTERM.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the cube (the default subcommand).")

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        @Option(name: .long, help: "Log format: text (one line per record) or json (one JSON object per line).")
        var logFormat: LogFormat = .text

        @Flag(name: .customLong("v7-stdin"), help: ArgumentHelp(
            "Started by the original's v7 manager: read stdin to its end, register the key of its "
                + "[base.auth.set_v7_key:'<key>'] line for the zenka v7, and print the start-up line v7 waits for."))
        var v7Stdin = false

        func run() async throws {
            SignalMask.clear()
            let loaded = try options.load()
            let (level, format) = (logLevel, logFormat)
            LoggingSystem.bootstrap { label in
                switch format {
                case .text:
                    var handler = StreamLogHandler.standardError(label: label)
                    handler.logLevel = level
                    return handler
                case .json:
                    return JSONLogHandler(label: label, logLevel: level)
                }
            }
            let logger = Logger(label: "cube")
            for warning in loaded.configuration.warnings { logger.warning("\(warning)") }
            logger.info("configuration loaded", metadata: ["source": "\(loaded.source)"])
            var v7Key: String?
            if v7Stdin {
                v7Key = V7Startup.key(in: V7Startup.readStandardInput())
                if v7Key == nil { throw ValidationError("--v7-stdin: no [base.auth.set_v7_key:'<key>'] line on stdin") }
            }
            try await Daemon.build(loaded: loaded, logger: logger, v7Key: v7Key).run()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
