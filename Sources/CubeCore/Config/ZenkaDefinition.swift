/// How the manager runs one zenka (`zenka.<name>.<key>` entries, usually written as the
/// relative keys of `configuration/zenki/<name>/zenka.conf`).
package struct ZenkaDefinition: Equatable, Sendable {
    /// How the zenka talks to the cube.
    package enum Mode: String, Sendable {
        /// The program logs in itself with the one-time key it gets in its environment.
        case sdk
        /// The program reads `(<tid>)<command> <args>` lines on stdin and writes replies on
        /// stdout; the cube does the login for it.
        case stdio
    }

    /// When the manager starts it.
    package enum Start: String, Sendable {
        /// With the cube.
        case always
        /// When a command for it arrives (docs/protocol.md §6).
        case ondemand
        /// Only with `v7.start`.
        case manual
    }

    /// What the manager does when it exits.
    package enum Restart: String, Sendable {
        case always
        case onFailure = "on-failure"
        case never
    }

    package var name: String
    /// The executable; `@<sample>` names a sample zenka of the `zenka` executable next to `cube`.
    package var program = ""
    package var arguments: [String] = []
    package var mode = Mode.sdk
    package var start = Start.always
    package var restart = Restart.always
    /// First restart delay in seconds; it doubles up to ``maximumBackoff``.
    package var backoff = 1.0
    package var maximumBackoff = 60.0
    package var directory: String?
    package var environment: [String: String] = [:]
    package var dependencies: [String] = []
    package var instances = 1
    /// Seconds between `heart notime` checks (0 = none).
    package var heartbeat = 10.0
    /// Seconds a heart check may take; two missed checks restart the zenka.
    package var heartbeatTimeout = 5.0
    /// Seconds between SIGTERM and SIGKILL when stopping.
    package var stopTimeout = 5.0
    /// How commands for the name reach its instances (docs/pooling.md).
    package var dispatch = DispatchMode.all
    /// Commands that may wait for a free instance of a balanced zenka; more get `FALSE queue full`.
    package var queueLimit = 10_000
    /// Bytes those waiting commands may hold (`queue.bytes`, docs/pooling.md "Queue"); each is
    /// also charged to its sender's memory share.
    package var queueBytes = 16_777_216
    /// Outstanding requests per instance past which balanced dispatch looks beyond this node
    /// and a scaling zenka grows.
    package var scaleTarget = 4
    /// Instances kept running even when idle (`instances.min`); 0 = started on demand and
    /// stopped when idle. ``instances`` is the most (`instances.max`).
    package var minimumInstances = 1
    /// Seconds of sustained load before an instance is added, of sustained idleness before one
    /// is drained and stopped, and at least between two changes (docs/pooling.md "Scaling").
    package var scaleUpAfter = 2.0
    /// Seconds of demand at twice the target or more (a step of load, not a ripple) before
    /// growing, when shorter than ``scaleUpAfter`` (`scale.surge-after`, docs/pooling.md "Surges").
    package var scaleSurgeAfter = 0.2
    package var scaleDownAfter = 30.0
    package var scaleCooldown = 5.0
    /// Compute leases on other nodes held at once for this zenka when it is at
    /// ``instances`` here and still loaded (`bursts`, docs/pooling.md "Bursts"); 0 = never.
    package var bursts = 4

    package init(name: String) { self.name = name }

    /// Whether `other` runs the same processes as this: the two differ, if at all, only in
    /// keys the router and the manager read as they go, which a reload applies without
    /// restarting the instances (docs/configuration.md "Reload"): pooling (`instances.*`,
    /// `scale.*`, `bursts`, `queue*`) and supervision (`restart*`, `heartbeat*`,
    /// `stop-timeout`). A key added later counts as the process's until listed here: a
    /// restart too many is safe, a process left on an old definition is not. `dispatch` is
    /// not listed: instances draining for a balanced name, its bursts and the compute offer
    /// all belong to the old mode (a second reader's finding).
    package func runsSameProcesses(as other: ZenkaDefinition) -> Bool {
        var mine = self
        mine.instances = other.instances
        mine.minimumInstances = other.minimumInstances
        mine.scaleTarget = other.scaleTarget
        mine.scaleUpAfter = other.scaleUpAfter
        mine.scaleSurgeAfter = other.scaleSurgeAfter
        mine.scaleDownAfter = other.scaleDownAfter
        mine.scaleCooldown = other.scaleCooldown
        mine.bursts = other.bursts
        mine.queueLimit = other.queueLimit
        mine.queueBytes = other.queueBytes
        mine.restart = other.restart
        mine.backoff = other.backoff
        mine.maximumBackoff = other.maximumBackoff
        mine.heartbeat = other.heartbeat
        mine.heartbeatTimeout = other.heartbeatTimeout
        mine.stopTimeout = other.stopTimeout
        return mine == other
    }

    /// Applies one relative key (`program`, `args`, `restart.backoff`, `env.HOME`, ...).
    /// - Returns: an error message, or nil when the key was understood.
    mutating func apply(key: String, value: String) -> String? {
        func seconds(_ range: ClosedRange<Double>) -> Double? {
            guard let number = Double(value), range.contains(number) else { return nil }
            return number
        }
        if let variable = key.dropPrefix("env.") {
            environment[variable] = value
            return nil
        }
        switch key {
        case "program": program = value
        case "args": arguments = value.split(separator: " ").map(String.init)
        case "directory": directory = value.isEmpty ? nil : value
        case "depends":
            let names = value.split(separator: " ").map(String.init)
            if let bad = names.first(where: { !Names.isUserName($0.utf8) }) { return "depends: invalid zenka name '\(bad)'" }
            dependencies = names
        case "mode":
            guard let parsed = Mode(rawValue: value) else { return "mode must be sdk or stdio" }
            mode = parsed
        case "start":
            guard let parsed = Start(rawValue: value) else { return "start must be always, ondemand or manual" }
            start = parsed
        case "restart":
            guard let parsed = Restart(rawValue: value) else { return "restart must be always, on-failure or never" }
            restart = parsed
        case "restart.backoff":
            guard let number = seconds(0.01...3600) else { return "restart.backoff needs seconds" }
            backoff = number
        case "restart.backoff-max":
            guard let number = seconds(0.01...86_400) else { return "restart.backoff-max needs seconds" }
            maximumBackoff = number
        case "instances", "instances.max":
            guard let number = Int(value), (1...64).contains(number) else { return "\(key) needs 1...64" }
            instances = number
        case "instances.min":
            guard let number = Int(value), (0...64).contains(number) else { return "instances.min needs 0...64" }
            minimumInstances = number
        case "scale.up-after":
            guard let number = seconds(0...3600) else { return "scale.up-after needs seconds" }
            scaleUpAfter = number
        case "scale.surge-after":
            guard let number = seconds(0...3600) else { return "scale.surge-after needs seconds" }
            scaleSurgeAfter = number
        case "scale.down-after":
            guard let number = seconds(0...86_400) else { return "scale.down-after needs seconds" }
            scaleDownAfter = number
        case "scale.cooldown":
            guard let number = seconds(0...3600) else { return "scale.cooldown needs seconds" }
            scaleCooldown = number
        case "heartbeat":
            guard let number = seconds(0...3600) else { return "heartbeat needs seconds" }
            heartbeat = number
        case "heartbeat.timeout":
            guard let number = seconds(0.1...600) else { return "heartbeat.timeout needs seconds" }
            heartbeatTimeout = number
        case "dispatch":
            guard let parsed = DispatchMode(rawValue: value) else { return "dispatch must be all or balanced" }
            dispatch = parsed
        case "queue":
            guard let number = Int(value), (0...100_000).contains(number) else { return "queue needs 0...100000" }
            queueLimit = number
        case "queue.bytes":
            guard let number = Int(value), (0...1_073_741_824).contains(number) else {
                return "queue.bytes needs 0...1073741824"
            }
            queueBytes = number
        case "scale.target":
            guard let number = Int(value), (1...100_000).contains(number) else { return "scale.target needs 1...100000" }
            scaleTarget = number
        case "bursts":
            guard let number = Int(value), (0...64).contains(number) else { return "bursts needs 0...64" }
            bursts = number
        case "stop-timeout":
            guard let number = seconds(0.1...600) else { return "stop-timeout needs seconds" }
            stopTimeout = number
        default:
            return "unknown zenka key '\(key)'"
        }
        return nil
    }
}
