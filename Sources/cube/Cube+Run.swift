import ArgumentParser
import CubeCore
import CubeRuntime
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

extension Cube {
    /// Starts the cube and serves until SIGINT or SIGTERM (SIGHUP reloads the configuration).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the cube (the default subcommand).")

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (overrides log.level).")
        var logLevel: Logger.Level?

        @Option(name: .long, help: "Log format: text (one line per record) or json (one JSON object per line).")
        var logFormat: LogFormat = .text

        @Flag(name: .customLong("v7-stdin"), help: ArgumentHelp(
            "Started by the original's v7 manager: read stdin to its end, register the key of its "
                + "[base.auth.set_v7_key:'<key>'] line for the zenka v7, and print the start-up line v7 waits for."))
        var v7Stdin = false

        func run() async throws {
            SignalMask.clear()
            // SIGHUP reloads (docs/configuration.md "Reload"); until the reloader listens, one must
            // not end the cube, which is what its default action would do.
            signal(SIGHUP, SIG_IGN)
            // A write to a pipe whose reader is gone (a stdio zenka that died while a command was
            // written to its stdin) must fail with EPIPE, not end the cube: SIGPIPE's default
            // action killed it (seen with a crash-looping stdio zenka whose stdin stayed open).
            // Sockets never raise it (NIO and the cube's own sends use MSG_NOSIGNAL). Zenki and
            // the callout program get it back at its default (CCubeSystem_spawnattr_own_session);
            // the helpers libfuse forks (`fusermount3`, `umount`) keep it ignored, which only
            // turns a write to a closed pipe into EPIPE for them.
            signal(SIGPIPE, SIG_IGN)
            let options = self.options
            let (level, format) = (logLevel, logFormat)
            // Every session is a descriptor: the soft limit goes up to the hard one, and
            // `limits.sessions` down to what that allows (DescriptorLimit).
            let descriptors = DescriptorLimit.raise()
            // Reloads read the same path with the same command-line overrides as this start.
            let load: @Sendable () throws -> LoadedConfiguration = {
                var loaded = try options.load()
                if let level { loaded.configuration.logLevel = level.rawValue }
                if let descriptors { DescriptorLimit.fit(&loaded.configuration, limit: descriptors.after) }
                return loaded
            }
            let loaded = try load()
            let levels = LogLevelSwitch(Logger.Level(rawValue: loaded.configuration.logLevel) ?? .info)
            LoggingSystem.bootstrap { label in SwitchedLogHandler(label: label, levels: levels, format: format) }
            let logger = Logger(label: "cube")
            logger.info("cube starting", metadata: ["version": "\(SoftwareVersion.number)", "protocol-version": "\(Wire.version)"])
            for warning in loaded.configuration.warnings { logger.warning("\(warning)") }
            logger.info("configuration loaded", metadata: ["source": "\(loaded.source)"])
            if let descriptors {
                logger.info("open files", metadata: ["limit": "\(descriptors.after)", "was": "\(descriptors.before)",
                                                     "sessions": "\(loaded.configuration.limits.sessions)"])
            } else {
                logger.warning("open-file limit unreadable: limits.sessions not checked against it")
            }
            var v7Key: String?
            if v7Stdin {
                v7Key = V7Startup.key(in: V7Startup.readStandardInput())
                if v7Key == nil { throw ValidationError("--v7-stdin: no [base.auth.set_v7_key:'<key>'] line on stdin") }
            }
            try await Daemon.build(loaded: loaded, logger: logger, v7Key: v7Key, reload: load, levels: levels).run()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
