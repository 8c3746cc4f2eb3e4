import CubeCore
import CubeManager
import CubeRuntime
import Dispatch
import Logging
import Synchronization

/// Re-reads the configuration and applies it to the running cube, after SIGHUP or for the
/// `reload` command (docs/configuration.md "Reload").
///
/// An invalid configuration is refused as a whole with its file and line, and the running
/// one stays. A valid one goes to the router (access rules, users, limits, timeouts, peers),
/// the log level switch and the manager (zenki started, stopped, restarted); keys that only a
/// restart can apply keep their running values and are reported. Every change is logged at
/// `notice`. Reloads run one at a time on their own queue: reading files never blocks the
/// event loop, and a SIGHUP during a `reload` command waits for it.
final class Reloader: Sendable {
    private let load: @Sendable () throws -> LoadedConfiguration
    /// Reads the `c25519` credentials again (authorized keys, trusted signers) for a node
    /// with an identity; nil for one without.
    private let credentials: (@Sendable (CubeConfiguration) throws -> C25519Login?)?
    /// The credentials in use, to tell whether the authorized keys changed.
    private let login: Mutex<C25519Login?>
    private let hub: Hub
    private let manager: Manager
    private let level: LogLevelSwitch
    private let logger: Logger
    private let queue = DispatchQueue(label: "cube-reload")

    /// - Parameters:
    ///   - load: reads the configuration the way `cube run` did at start (same path, same
    ///     command-line overrides).
    ///   - credentials: reads the `c25519` credentials for a configuration (nil: no identity).
    ///   - login: the credentials the cube started with.
    init(load: @escaping @Sendable () throws -> LoadedConfiguration,
         credentials: (@Sendable (CubeConfiguration) throws -> C25519Login?)?, login: C25519Login?,
         hub: Hub, manager: Manager, level: LogLevelSwitch, logger: Logger) {
        self.load = load
        self.credentials = credentials
        self.login = Mutex(login)
        self.hub = hub
        self.manager = manager
        self.level = level
        self.logger = logger
    }

    /// Answers the `reload` command through this reloader from now on.
    func attach() {
        let hub = self.hub
        hub.update { delegates in
            delegates.reload = { [weak self] id, command in
                self?.reload(reason: "reload command of session \(id)") { refusal, changes in
                    hub.reloadFinished(id, command: command, refusal: refusal, changes: changes)
                }
            }
        }
    }

    /// Reloads on the reloader's queue, then calls `completion` with the refusal (naming file
    /// and line) or the changes.
    func reload(reason: String, completion: @escaping @Sendable (_ refusal: String?, _ changes: [String]) -> Void = { _, _ in }) {
        queue.async { [self] in
            let (refusal, changes) = apply(reason: reason)
            completion(refusal, changes)
        }
    }

    private func apply(reason: String) -> (String?, [String]) {
        logger.notice("reloading configuration", metadata: ["reason": "\(reason)"])
        let loaded: LoadedConfiguration
        let plan: ConfigurationReload
        let newLogin: C25519Login?
        do {
            // Everything that can fail comes first: a refusal changes nothing.
            loaded = try load()
            plan = ConfigurationReload(running: hub.configuration, loaded: loaded.configuration)
            newLogin = try credentials?(plan.configuration)
        } catch {
            logger.error("configuration refused, running configuration kept: \(error)")
            return ("\(error)", [])
        }
        for warning in loaded.configuration.warnings { logger.warning("\(warning)") }
        // The router takes the new configuration inside the manager's turn (see
        // `Manager.reconfigure(files:applying:)`).
        var running = hub.configuration
        var others = manager.reconfigure(files: loaded.zenkaFiles) {
            running = hub.reconfigure(plan.configuration)
            return running.zenki
        }
        if let newLogin {
            let old = login.withLock { login in
                defer { login = newLogin }
                return login
            }
            if old?.authorized != newLogin.authorized {
                others.append("auth.c25519.authorized-keys: read again, \(newLogin.authorized.users.count) key(s)")
            }
            hub.replaceSecureLogin(newLogin)
        }
        if let newLevel = Logger.Level(rawValue: running.logLevel) { level.level = newLevel }
        let report = plan.report(adding: others)
        for line in report { logger.notice("reload: \(line)") }
        logger.notice("configuration reloaded", metadata: ["changes": "\(report.count)"])
        return (nil, report)
    }
}
