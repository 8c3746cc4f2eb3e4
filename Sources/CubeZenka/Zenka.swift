import CubeClient
import CubeCore
import Synchronization

/// A zenka: a participant of a Protocol-7 cube that answers commands addressed to its name.
///
/// ```swift
/// let zenka = Zenka(name: "hello")
/// zenka.command("greet", help: "greet <name>: says hello") { call in .true("hello \(call.args)") }
/// try await zenka.run()
/// ```
///
/// ## Environment
/// `Zenka(name:)` reads the variables the cube's manager sets for each zenka it starts:
/// - `PROTOCOL_7_UNIX_PATH`: the cube's unix socket (default `/run/protocol-7/cube.sock`).
/// - `PROTOCOL_7_ZENKA_NAME`: the name to log in as, `name` or `name[sub]`; overrides the
///   name given in code.
/// - `PROTOCOL_7_ZENKA_KEY`: a one-time session key for method `zenka` (docs/protocol.md §3.3).
/// - `PROTOCOL_7_ZENKA_KEY_FILE`: optional; a file whose first line is a one-time key. A key
///   works once, so every *re*connect reads this file again (the manager rewrites it with a
///   fresh key registered by `session-key`).
/// - `PROTOCOL_7_ZENKA_UNIX_USER`: optional; the name for the method `unix` fallback.
///
/// ## Reconnecting
/// When the connection ends (the cube stops, sends `!TERM!`, or the socket fails) the zenka
/// reconnects with exponential backoff, 0.2 s doubling to 10 s, reset after a good login.
/// The login for each attempt: the one-time key if not used yet; else a key from the key file;
/// else method `unix` as the zenka's base name (which works when the cube's configuration has
/// `auth.setup.usr.<name> = :unix:<user running the zenka>`), or as `PROTOCOL_7_ZENKA_UNIX_USER`.
/// Zenki run by hand use that unix login from the start (see ``ZenkaSettings``).
///
/// ## Built-in commands
/// `heart [notime]` → `TRUE beating`, `name` → `TRUE <name>`, `commands` → `SIZE` table of the
/// commands and their help. Unknown commands get `FALSE command does not exist`, a handler that
/// throws `FALSE error during command invocation [ details are logged ]`.
///
/// Events are logged to stderr, one line each, which the manager captures.
public final class Zenka: Sendable {
    /// The connection settings.
    public let settings: ZenkaSettings
    let logger: ZenkaLog
    let state = Mutex(ZenkaState())

    /// A zenka configured from the manager's environment (see the type's documentation).
    /// - Parameter name: the name used when `PROTOCOL_7_ZENKA_NAME` is not set.
    public convenience init(name: String) {
        self.init(settings: .fromEnvironment(defaultName: name))
    }

    /// A zenka with explicit settings.
    /// - Parameter settings: where to connect and how to log in.
    public init(settings: ZenkaSettings) {
        self.settings = settings
        logger = ZenkaLog(prefix: "zenka \(settings.name)")
    }

    /// The name the zenka logs in as (`name` or `name[sub]`).
    public var name: String { settings.name }

    /// True while the zenka is logged in.
    public var isConnected: Bool { state.withLock { $0.link != nil } }

    /// Declares a command (replacing one of the same name). Built-ins (`heart`, `name`,
    /// `commands`) always win.
    /// - Parameters:
    ///   - name: the command as it arrives, e.g. `greet` for `hello.greet`.
    ///   - help: one line for the `commands` table.
    ///   - access: who may run it under the cube's default configuration, for the reader: the
    ///     cube's `access.cmd.usr.*` rules decide (docs/protocol.md §3.4).
    ///   - handler: answers one call; runs as its own task, concurrently with other calls.
    public func command(_ name: String, help: String, access: CommandAccess = .granted,
                        handler: @escaping ZenkaCommand.Handler) {
        let entry = CommandEntry(name, name, help, access, handler: handler)
        state.withLock { _ = $0.commands.add(entry) }
    }

    /// Runs `hook` as a task after every successful login (e.g. to announce offers).
    /// - Parameter hook: receives this zenka.
    public func onConnect(_ hook: @escaping @Sendable (Zenka) async -> Void) {
        state.withLock { $0.connectHooks.append(hook) }
    }

    /// Writes `zenka <name>: <message>` as one line to stderr (the manager captures it).
    /// - Parameter message: the event; line feeds become spaces.
    public func log(_ message: String) { logger(message) }

    /// Asks ``run()`` to return: closes the connection and stops reconnecting.
    public func stop() {
        let link = state.withLock { state -> Link? in
            state.stopped = true
            return state.link
        }
        link?.close()
    }
}
