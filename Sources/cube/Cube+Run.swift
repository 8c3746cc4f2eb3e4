import ArgumentParser
import CubeCore
import CubeNet
import Logging
import ServiceLifecycle

extension Cube {
    /// Starts the cube and serves until SIGINT or SIGTERM (SIGHUP is logged and ignored).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the cube (the default subcommand).")

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        func run() async throws {
            SignalMask.clear()
            let loaded = try options.load()
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = logLevel
                return handler
            }
            let logger = Logger(label: "cube")
            let hangUp = HangUpSignal.ignore(logger: logger)
            defer { hangUp.cancel() }
            for warning in loaded.configuration.warnings { logger.warning("\(warning)") }
            logger.info("configuration loaded", metadata: ["source": "\(loaded.source)"])
            try await Daemon.build(loaded: loaded, logger: logger).run()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
