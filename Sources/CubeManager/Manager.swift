import CubeAuth
import CubeCore
import CubeRuntime
import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The zenka manager, answering as the zenka `v7`: starts the configured zenki, restarts
/// them with exponential backoff, checks them with `heart notime`, starts on-demand zenki
/// when a command for them arrives, and stops whole process groups.
///
/// All state lives on one serial dispatch queue (never the Swift concurrency pool); the hub
/// is called from that queue without holding anything the hub could call back into.
package final class Manager: @unchecked Sendable {
    let hub: Hub
    let logger: Logger
    /// The zenki to run (queue-confined; a reload replaces them).
    var definitions: [String: ZenkaDefinition]
    /// Files that travel with each zenka (scripts), copied into its working directory
    /// (queue-confined; a reload replaces them).
    var files: [String: [String: [UInt8]]]
    let runtimeDirectory: String
    let queue = DispatchQueue(label: "cube-manager")
    /// Queue-confined state.
    var instances: [Int: Instance] = [:]
    var records: [String: ZenkaRecord] = [:]
    var session: SessionID = 0
    var nextCheckID: UInt64 = CommandID.first
    var shuttingDown = false
    /// Process groups whose main process ended with helpers still in them (queue-confined).
    var lingering: [LingeringGroup] = []
    /// Instances ordered for compute leases (`ScaleOrder.serve`) that wait for a slot, by zenka.
    var pendingServe: [String: Int] = [:]
    /// Whether ``start()`` ran (the cube serves).
    var started = false
    /// Zenki whose dependencies `launch` is starting: a circle of `depends` never recurses
    /// (the configuration refuses circles, `ZenkaDefinition.dependencyCycle`; this holds for
    /// definitions given any other way).
    var launchingDependencies: Set<String> = []
    /// `notify_online`/`notify_offline` waiting for their zenka (queue-confined).
    var notifications = PendingNotifications()
    private var timer: (any DispatchSourceTimer)?

    /// - Parameters:
    ///   - definitions: the zenki to manage.
    ///   - files: each zenka's support files.
    ///   - runtimeDirectory: where zenki get their working directories (`<dir>/zenki/<name>`).
    package init(hub: Hub, definitions: [String: ZenkaDefinition], files: [String: [String: [UInt8]]],
                runtimeDirectory: String, logger: Logger) {
        self.hub = hub
        self.definitions = definitions
        self.files = files
        self.runtimeDirectory = runtimeDirectory
        self.logger = logger
    }

    /// Logs in as `v7`, registers on-demand zenki and starts the others. With no zenki
    /// configured it waits: the first reload that brings some logs in (``reconfigure(files:applying:)``).
    package func start() {
        queue.sync {
            started = true
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.resume()
            self.timer = timer
            if !definitions.isEmpty { attach() }
        }
    }

    /// Logs in as `v7` and starts the configured zenki (on the queue).
    private func attach() {
        session = hub.connectDoor(ManagerEndpoint(manager: self), user: "v7", transport: .local("manager"))
        hub.update { delegates in
            delegates.startZenka = { [weak self] name in self?.startOnDemand(name) ?? false }
            delegates.scale = { [weak self] order in self?.scale(order) }
            delegates.observers["manager"] = { [weak self] event in self?.observe(event) }
        }
        offerCompute()
        for definition in definitions.values.sorted(by: { $0.name < $1.name }) { startAsConfigured(definition) }
    }

    /// Whether the router starts `definition` at its first command: `start = ondemand`, or
    /// `instances.min = 0` (started by the first command, stopped when idle; docs/pooling.md).
    static func startsOnDemand(_ definition: ZenkaDefinition) -> Bool {
        definition.start == .ondemand || (definition.start == .always && definition.minimumInstances == 0)
    }

    /// Registers an on-demand zenka, or starts `instances.min` instances of an `always` one
    /// (a `manual` one waits for `v7.start`); returns how it was started, for the reload lines.
    @discardableResult
    private func startAsConfigured(_ definition: ZenkaDefinition) -> String {
        if Self.startsOnDemand(definition) {
            hub.registerOnDemand(definition.name)
            return "started on demand"
        }
        guard definition.start == .always else { return "started by v7.start" }
        for _ in 0..<definition.minimumInstances { launch(definition.name) }
        return Self.starting(definition.minimumInstances)
    }

    /// `starting`, or `starting <n> instances` for more than one.
    static func starting(_ count: Int) -> String { count == 1 ? "starting" : "starting \(count) instances" }

    /// Applies reloaded zenka definitions (docs/configuration.md "Reload"): a zenka no longer
    /// configured is stopped, a new one is registered (on demand) or started (always), one
    /// whose process keys or scripts changed has its running instances restarted with the new
    /// definition, one whose pooling or supervision keys changed keeps them
    /// (``ZenkaDefinition/runsSameProcesses(as:)``), and either is started up to
    /// `instances.min` if `always`. Others are left alone.
    /// - Parameters:
    ///   - newFiles: each zenka's files (`zenki/<name>/`).
    ///   - applying: applies the new configuration to the router and returns the zenka
    ///     definitions now running. It runs on the manager's queue, before anything else the
    ///     manager does: an order the router gives under the new figures (a start up to a
    ///     raised `instances.max`) waits until the manager has them too, instead of being
    ///     declined by the old ones (a reload racing a surge).
    /// - Returns: one line per zenka touched, for the log and the `reload` answer.
    package func reconfigure(files newFiles: [String: [String: [UInt8]]],
                             applying: () -> [String: ZenkaDefinition]) -> [String] {
        queue.sync {
            let new = applying()
            let old = definitions
            let oldFiles = files
            guard started, !shuttingDown else {
                definitions = new
                files = newFiles
                return []
            }
            var lines: [String] = []
            let now = Self.now
            // Stopped while the old definition (and its stop timeout) still holds.
            for name in Set(old.keys).subtracting(new.keys).sorted() {
                // One stopping for a restart is stopped for good too: it would come back if the
                // zenka is added again before it exits (a second reader's finding).
                let victims = instances.values.filter { $0.name == name && ($0.state != .stopping || $0.restarting) }.map(\.id)
                for id in victims { stop(instance: id, now: now) }
                records[name] = nil
                // `instances.min = 0` registers on demand as `start = ondemand` does.
                if let before = old[name], Self.startsOnDemand(before) { hub.unregisterOnDemand(name) }
                lines.append("zenka \(name) removed" + (victims.isEmpty ? "" : ", \(victims.count) instance(s) stopped"))
            }
            definitions = new
            files = newFiles
            if session == 0 && !new.isEmpty {
                // The first zenki of a cube that started without any.
                attach()
                return new.keys.sorted().map { "zenka \($0) added" }
            }
            for name in Set(new.keys).subtracting(old.keys).sorted() {
                guard let definition = new[name] else { continue }
                lines.append("zenka \(name) added, " + startAsConfigured(definition))
            }
            // `zenka.conf` is among the files; what it says is in the definitions (a comment
            // edited in it is no change).
            let scripts = { (files: [String: [UInt8]]?) in files?.filter { $0.key != "zenka.conf" } ?? [:] }
            for name in Set(new.keys).intersection(old.keys).sorted()
            where old[name] != new[name] || scripts(oldFiles[name]) != scripts(newFiles[name]) {
                guard let before = old[name], let after = new[name] else { continue }
                let wasOnDemand = Self.startsOnDemand(before), isOnDemand = Self.startsOnDemand(after)
                if wasOnDemand && !isOnDemand { hub.unregisterOnDemand(name) }
                if isOnDemand && !wasOnDemand { hub.registerOnDemand(name) }
                // Only a change of what runs restarts it; a new pooling or supervision figure
                // applies to the processes as they are (raising `instances.max` under load
                // restarted every instance before). An `instances.max` below the instances
                // running sheds the surplus alone (`shed`; a second reader's finding: a fixed
                // count lowered live never came down).
                let live = scripts(oldFiles[name]) == scripts(newFiles[name]) && after.runsSameProcesses(as: before)
                let running = live ? [] : instances.values.filter { $0.name == name && $0.state != .stopping }.map(\.id)
                // One stopping for a restart comes back by itself: not one more to start.
                let own = ownInstances(of: name) + instances.values.filter { $0.name == name && $0.restarting && !$0.served }.count
                // Each restarts once it has exited (`exited`), with the new definition.
                for id in running { restart(instance: id, now: now, reason: .requested) }
                // Up to the new `instances.min` (docs/configuration.md "Reload"); a lower one stops
                // nothing here: a scaling zenka drains down to it when idle.
                let missing = after.start == .always && !isOnDemand && records[name]?.manuallyStopped != true
                    ? max(after.minimumInstances - own, 0) : 0
                for _ in 0..<missing { launch(name, replacingRestart: true) }
                var line = "zenka \(name) changed"
                if live { line += ", applied live" } else if !running.isEmpty { line += ", \(running.count) instance(s) restarting" }
                if live, ownInstances(of: name) > after.instances, let shed = shed(after, now: now) { line += ", " + shed }
                if missing > 0 { line += own > 0 ? ", \(missing) more starting" : ", " + Self.starting(missing) }
                lines.append(line)
            }
            return lines
        }
    }

    /// Brings the node's own instances of `definition`'s zenka down to an `instances.max` a
    /// reload lowered below them; the others keep running. Of a balanced zenka the router
    /// decides (``Hub/drainSurplus(_:maximum:among:starting:)``): instances it already drains
    /// do not count, those not logged in yet go first (they hold nothing), then the least
    /// loaded are drained and stop once they have answered what they hold, as an idle drain
    /// (docs/pooling.md "Scaling"). Of a fan-out zenka (`dispatch = all`: every instance gets
    /// every command, none drains) the newest stop at once.
    /// - Returns: what was done, for the reload's answer; nil for nothing.
    private func shed(_ definition: ZenkaDefinition, now: UInt64) -> String? {
        let name = definition.name
        var own = instances.values.filter { $0.name == name && $0.state != .stopping && !$0.served }
            .sorted { $0.started > $1.started }
        guard definition.dispatch == .balanced else {
            let stopped = own.prefix(max(own.count - definition.instances, 0)).map(\.id)
            for id in stopped { stop(instance: id, now: now) }
            return stopped.isEmpty ? nil : "\(stopped.count) instance(s) stopping"
        }
        // An SDK instance's join may wait behind this reload on the queue: logged in at the
        // router already, found by its pid (as `observe` does), it may hold commands.
        let sessionsByPID = hub.inspect { router in
            Dictionary(router.sessions(of: name).compactMap { id in router.summary(of: id)?.peerPID.map { ($0, id) } }) { first, _ in first }
        }
        for index in own.indices where own[index].session == nil {
            own[index].session = sessionsByPID[own[index].process.pid]
        }
        let starting = own.filter { $0.session == nil }
        let (drained, startsToStop) = hub.drainSurplus(name, maximum: definition.instances,
                                                       among: Set(own.compactMap(\.session)), starting: starting.count)
        let stopped = starting.prefix(startsToStop).map(\.id)
        for id in stopped { stop(instance: id, now: now) }
        let parts = [drained.isEmpty ? nil : "\(drained.count) instance(s) draining",
                     stopped.isEmpty ? nil : "\(stopped.count) instance(s) stopping"].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// Stops every zenka (SIGTERM, then SIGKILL after its stop timeout) and waits for them.
    package func stopAll() {
        // Definitions are read on the queue: a reload may replace them.
        let longest = queue.sync {
            shuttingDown = true
            for id in instances.keys { stop(instance: id, now: Self.now) }
            return definitions.values.map(\.stopTimeout).max()
        }
        let deadline = Date().addingTimeInterval(longest.map { $0 + 1 } ?? 1)
        // Helpers left behind by a zenka whose main process ended (`lingering`) get their
        // stop timeout too, as at a stop; what is left at the deadline is killed below.
        while Date() < deadline, queue.sync(execute: { !instances.isEmpty || lingering.contains(where: \.isAlive) }) {
            usleep(20_000)
        }
        queue.sync {
            timer?.cancel()
            for instance in instances.values { instance.process.signalGroup(SIGKILL) }
            for group in lingering where group.isAlive { kill(-group.group, SIGKILL) }
            lingering = []
            hub.update { delegates in
                delegates.startZenka = nil
                delegates.scale = nil
                delegates.observers["manager"] = nil
            }
        }
    }

    static var now: UInt64 { Timestamp.now.monotonic }

    // MARK: - Starting and stopping

    /// Starts one instance of `name`; returns its id or a reason.
    /// - Parameters:
    ///   - served: for another node's compute lease: beyond `instances.max` (the router keeps
    ///     such instances within `node.compute.slots`, docs/pooling.md "Bursts").
    ///   - replacingRestart: a start in the place of an instance that ended (`v7.start`, the
    ///     router's scaling start, an on-demand start, a reload's `instances.min`): it takes
    ///     the place of the pending restart due first. Other starts (a served one, a
    ///     `v7.restart`, a due restart itself) leave the pending ones be: taking one left an
    ///     instance that had crashed never restarted (a second reader's finding).
    @discardableResult
    func launch(_ name: String, served: Bool = false, replacingRestart: Bool = false) -> Result<Int, LaunchFailure> {
        guard let definition = definitions[name] else { return .failure(.unknown) }
        // Served instances are beyond `instances.max` (within `node.compute.slots`): they do
        // not count against the node's own.
        guard served || ownInstances(of: name) < definition.instances else {
            return .failure(.maximumReached(definition.instances))
        }
        let missing = definition.dependencies.filter { !isOnline($0) }
        if !missing.isEmpty {
            records[name, default: ZenkaRecord()].waitingForDependencies = true
            launchingDependencies.insert(name)
            defer { launchingDependencies.remove(name) }
            for dependency in missing
            where definitions[dependency] != nil && !isRunning(dependency) && !launchingDependencies.contains(dependency) {
                _ = launch(dependency)
            }
            return .failure(.waiting(missing))
        }
        records[name, default: ZenkaRecord()].waitingForDependencies = false
        records[name]?.manuallyStopped = false
        if replacingRestart, let due = records[name]?.restartsDue, let earliest = due.min(), let index = due.firstIndex(of: earliest) {
            records[name]?.restartsDue.remove(at: index)
        }
        do {
            let directory = try prepareDirectory(for: definition)
            let id = newInstanceID()
            var environment = ProcessInfo.processInfo.environment.merging(definition.environment) { $1 }
            environment["PROTOCOL_7_UNIX_PATH"] = hub.configuration.unixSocketPath
            environment["PROTOCOL_7_ZENKA_NAME"] = name
            environment["PROTOCOL_7_INSTANCE"] = String(id)
            if definition.mode == .sdk {
                let key = SecureRandom.sessionKey()
                hub.registerZenkaKey(name: name, key: key)
                environment["PROTOCOL_7_ZENKA_KEY"] = key
                environment["PROTOCOL_7_ZENKA_KEY_FILE"] = directory + "/.zenka-key"
                writeKeyFile(directory + "/.zenka-key", name: name)
            }
            let (program, arguments) = resolve(definition)
            let launchSpec = ChildProcess.Launch(program: program, arguments: arguments, environment: environment,
                                                 directory: directory, stdio: definition.mode == .stdio)
            let logger = self.logger
            let process = try ChildProcess(launchSpec, onStdout: { [weak self] bytes in
                guard let manager = self else { return }
                manager.queue.async { manager.stdioOutput(bytes, instance: id) }
            }, onLine: { line in
                logger.info("\(line)", metadata: ["zenka": "\(name)", "instance": "\(id)"])
            }, onExit: { [weak self] status in
                guard let manager = self else { return }
                manager.queue.async { manager.exited(instance: id, status: status) }
            })
            let now = Self.now
            var instance = Instance(id: id, name: name, process: process, stdio: definition.mode == .stdio, started: now,
                                    waitingSince: now, lastHeartbeat: now)
            instance.served = served
            if definition.mode == .stdio {
                let endpoint = StdioEndpoint(process: process, limit: hub.configuration.limits.outputQueue, logger: logger,
                                             name: name)
                instance.session = hub.connectLocal(endpoint, user: name, transport: .local("stdio"), kind: .zenka)
                instance.state = .online
            }
            instances[id] = instance
            logger.info("zenka started", metadata: ["zenka": "\(name)", "instance": "\(id)", "pid": "\(process.pid)"])
            return .success(id)
        } catch {
            logger.error("zenka failed to start: \(error)", metadata: ["zenka": "\(name)"])
            records[name, default: ZenkaRecord()].lastExit = "\(error)"
            // On-demand zenki are started by demand only (the caller answers the queue).
            if definition.start != .ondemand { scheduleRestart(name, failed: true) }
            return .failure(.spawn("\(error)"))
        }
    }

    /// Why a start did not happen.
    enum LaunchFailure: Error {
        case unknown
        case maximumReached(Int)
        case waiting([String])
        case spawn(String)
    }

    func isRunning(_ name: String) -> Bool { instances.values.contains { $0.name == name && $0.state != .stopping } }

    /// Stops an instance (SIGTERM to its group, SIGKILL at its stop timeout, ``tick()``).
    /// One already stopping for a restart (`v7.restart`, missed heartbeats) stays stopped:
    /// every stop order (`v7.stop`, a drain, a reload's removal) means "no automatic restart
    /// until started again" (docs/zenki.md "The manager's commands");
    /// ``restart(instance:now:reason:)`` asks for its restart after this.
    /// - Parameter comingBack: stopped to be restarted (`restart(instance:now:reason:)`): a
    ///   lease's end may take it instead of a running one.
    func stop(instance id: Int, now: UInt64, comingBack: Bool = false) {
        instances[id]?.restartRequested = nil
        guard var instance = instances[id], instance.state != .stopping else { return }
        instance.state = .stopping
        instance.stopRequested = true
        instance.stopDeadline = now + UInt64((definitions[instance.name]?.stopTimeout ?? 5) * 1e9)
        // No new commands for it from now on, before its input closes (docs/pooling.md "An
        // instance stops").
        if let session = instance.session { hub.instanceStopping(session, of: instance.name, comingBack: comingBack) }
        instance.process.closeInput()
        instance.process.signalGroup(SIGTERM)
        instances[id] = instance
    }

    /// Called by the router when a command is queued for an on-demand zenka.
    func startOnDemand(_ name: String) -> Bool {
        guard definitions[name] != nil else { return false }
        queue.async { [self] in
            if isRunning(name) { return }
            if case .failure(let reason) = launch(name, replacingRestart: true), case .waiting = reason {} else if !isRunning(name) {
                hub.zenkaStartFailed(name)
            }
        }
        return true
    }

    /// The router's order for a scaling zenka (docs/pooling.md "Scaling"): one more instance
    /// (within `instances.max`), or stop one it drained, without a restart.
    func scale(_ order: ScaleOrder) {
        queue.async { [self] in
            // The router keeps routing while the manager stops everything (`stopAll` stops every
            // instance): an order that comes then must not start a process it would only kill
            // (a second reader's finding).
            guard !shuttingDown else { return }
            switch order {
            case .start(let name):
                // `v7.stop` holds for the router's starts too ("no automatic restart until
                // started again", docs/zenki.md): before, the next command for a scaling zenka
                // started it again (a hostile tester's finding).
                if records[name]?.manuallyStopped == true {
                    hub.zenkaStartFailed(name)
                    return
                }
                if let until = records[name]?.scaleBackoffUntil, Self.now < until {
                    // An instance that ended is coming back after its restart delay: what
                    // waits goes to it (docs/pooling.md "An instance dies": none is lost).
                    // Failing the start here answered every waiting command `client not
                    // present` a second before the restart (a hostile tester's finding); the
                    // router counts the start as on its way until the restart logs in.
                    if records[name]?.restartPending == true { return }
                    // Declined like a failed start: the router answers what waits, or waits for
                    // the cooldown (docs/pooling.md "Failure cases"). Not logged: one per command.
                    hub.zenkaStartFailed(name)
                    return
                }
                switch launch(name, replacingRestart: true) {
                case .success, .failure(.waiting): return
                case .failure(let reason):
                    logger.info("zenka not scaled up: \(reason)", metadata: ["zenka": "\(name)"])
                    hub.zenkaStartFailed(name)
                }
            case .serve(let name):
                serve(name)
            case .stop(let name, let session, let leaseEnded):
                // A restarting instance the router took for a lease's end may have exited and
                // come back (served) before this order: the lease still takes one served
                // process, the newest (a second reader's finding: the order found nothing, and
                // the served process kept a slot for no lease).
                let found = instances.values.first(where: { $0.session == session })
                    ?? (leaseEnded ? instances.values.filter { $0.name == name && $0.served && $0.state != .stopping }
                            .max(by: { $0.started < $1.started }) : nil)
                guard let instance = found else { return }
                logger.info("zenka drained, stopping", metadata: ["zenka": "\(name)", "instance": "\(instance.id)"])
                // Which process carries a lease does not matter, how many do: a lease's drain
                // leaves one served process fewer, an idle drain one of the node's own fewer,
                // whichever process the router picked. When the picked one is of the other
                // kind, it and a running one of this kind swap their marks.
                var replace = false
                if instance.served != leaseEnded {
                    if let other = instances.values.first(where: {
                        $0.served == leaseEnded && $0.name == name && $0.state != .stopping
                    }) {
                        instances[other.id]?.served = instance.served
                        instances[instance.id]?.served = leaseEnded
                    } else if leaseEnded, let waiting = pendingServe[name] {
                        // The lease's process never started: its start waits for a slot
                        // (`serve`). It must not start as served for a lease that ended (it
                        // would hold the slot for no lease, a second reader's finding); it
                        // starts now as the node's own, in place of the one the router drained.
                        pendingServe[name] = waiting > 1 ? waiting - 1 : nil
                        replace = true
                    }
                }
                // The router counted it out: it does not come back, not even when it was
                // already stopping for a restart (`v7.restart`, missed heartbeats), which would
                // have brought it back, served for an ended lease or beyond an idle drain.
                stop(instance: instance.id, now: Self.now)
                if replace, case .failure(let reason) = launch(name) {
                    logger.info("zenka not started in place of a drained instance: \(reason)", metadata: ["zenka": "\(name)"])
                }
            }
        }
    }

    /// Starts an instance of `name` for a compute lease, within `node.compute.slots` processes
    /// in all, those still stopping included: the router counts leased slots, not processes,
    /// and leases acquired and released in a loop started instances faster than stops ended
    /// them (a hostile second reader: 1,517 processes from a loop of 3 s with 2 slots). Past
    /// the slots the start waits for a served instance to exit; at most as many wait.
    func serve(_ name: String) {
        let slots = hub.configuration.compute.effectiveSlots
        guard instances.values.filter(\.served).count < slots else {
            let waiting = pendingServe.values.reduce(0, +)
            guard waiting < slots else {
                logger.warning("zenka not started for a compute lease: every slot is taken and as many starts wait",
                               metadata: ["zenka": "\(name)", "slots": "\(slots)"])
                return
            }
            pendingServe[name, default: 0] += 1
            return
        }
        switch launch(name, served: true) {
        case .success, .failure(.waiting):
            return
        case .failure(let reason):
            logger.warning("zenka not started for a compute lease: \(reason)", metadata: ["zenka": "\(name)"])
            hub.zenkaStartFailed(name)
        }
    }

    /// Backs the router's scaling starts off after failed exits, as restarts are: a balanced
    /// zenka that crashed at once was started again for every command that found no instance
    /// (199 processes for 199 commands in 4 s; a hostile second reader).
    /// - Parameter ranFor: how long the instance ran (ns): a failure after 30 s starts the
    ///   count again, as the restart policy does, so rare crashes do not add up.
    private func noteForScaling(_ name: String, failed: Bool, ranFor: UInt64) {
        guard failed else {
            records[name]?.scaleFailures = 0
            records[name]?.scaleBackoffUntil = nil
            return
        }
        guard let definition = definitions[name] else { return }
        let earlier = ranFor < 30_000_000_000 ? records[name]?.scaleFailures ?? 0 : 0
        let failures = earlier + 1
        let delay = Self.backoff(definition, failures: failures)
        records[name, default: ZenkaRecord()].scaleFailures = failures
        records[name]?.scaleBackoffUntil = Self.now + UInt64(delay * 1e9)
    }

    /// A served instance exited: a start that waited for its slot goes now.
    private func servePending() {
        guard let name = pendingServe.keys.sorted().first, let count = pendingServe[name] else { return }
        pendingServe[name] = count > 1 ? count - 1 : nil
        serve(name)
    }

    /// A process ended: forget it, then restart it if its policy says so.
    func exited(instance id: Int, status: Int32) {
        guard let instance = instances.removeValue(forKey: id) else { return }
        defer { if instance.served && !shuttingDown { servePending() } }
        lingerAfter(instance)
        let code = (status & 0x7F) == 0 ? "exit \((status >> 8) & 0xFF)" : "signal \(status & 0x7F)"
        let failed = status != 0 && !instance.stopRequested
        records[instance.name, default: ZenkaRecord()].lastExit = code
        noteForScaling(instance.name, failed: failed, ranFor: Self.now &- instance.started)
        logger.info("zenka exited (\(code))", metadata: ["zenka": "\(instance.name)", "instance": "\(id)"])
        // From the instance, not the definition: a reload may have removed or changed that.
        if let session = instance.session, instance.stdio { hub.disconnected(session) }
        if instance.state == .starting, definitions[instance.name]?.start == .ondemand {
            // Never logged in: the queued commands fail, and only new demand starts it again.
            hub.zenkaStartFailed(instance.name)
            return
        }
        switch instance.restartRequested {
        case .requested? where !shuttingDown:
            records[instance.name, default: ZenkaRecord()].restarts += 1
            // A served instance comes back served: as an own one it met `instances.max` and
            // was not started, and the lease lost its instance (a reviewer).
            launch(instance.name, served: instance.served)
            return
        case .unhealthy? where !shuttingDown:
            scheduleRestart(instance.name, failed: true)
            return
        default:
            break
        }
        guard !instance.stopRequested, !shuttingDown, let definition = definitions[instance.name] else { return }
        switch definition.restart {
        case .always: scheduleRestart(instance.name, failed: failed || Self.now - instance.started < 30_000_000_000)
        case .onFailure: if failed { scheduleRestart(instance.name, failed: true) }
        case .never: break
        }
    }

    /// The main process of `instance` ended: what is left of its process group (helpers that
    /// ignored SIGTERM, or were running when it died) gets what a stop gives, SIGTERM now
    /// unless a stop sent it and SIGKILL at the stop's deadline (``tick()``), so nothing it
    /// started outlives it (docs/security.md "Zenki started by the manager").
    func lingerAfter(_ instance: Instance) {
        let group = LingeringGroup(group: instance.process.pid, name: instance.name,
                                   deadline: instance.stopDeadline
                                       ?? Self.now + UInt64((definitions[instance.name]?.stopTimeout ?? 5) * 1e9))
        guard group.isAlive else { return }
        if !instance.stopRequested { kill(-group.group, SIGTERM) }
        lingering.append(group)
    }

    /// Seconds to wait after `failures` failures in a row: `restart.backoff`, doubled with each
    /// after the first, at most `restart.backoff-max` (restarts and scaling starts alike).
    static func backoff(_ definition: ZenkaDefinition, failures: Int) -> Double {
        min(definition.maximumBackoff, definition.backoff * pow(2, Double(min(max(0, failures - 1), 30))))
    }

    /// Instances of `name` that are the node's own (not served for a compute lease) and not
    /// stopping: what `instances.max` and `instances.min` count.
    func ownInstances(of name: String) -> Int {
        instances.values.filter { $0.name == name && $0.state != .stopping && !$0.served }.count
    }

    /// Schedules the next start after the backoff delay (doubling with each failure).
    func scheduleRestart(_ name: String, failed: Bool) {
        guard let definition = definitions[name], !shuttingDown else { return }
        var record = records[name, default: ZenkaRecord()]
        record.failures = failed ? record.failures + 1 : 0
        let delay = Self.backoff(definition, failures: record.failures)
        record.restartsDue.append(Self.now + UInt64(delay * 1e9))
        record.restarts += 1
        records[name] = record
        logger.info("zenka restart in \(delay) s", metadata: ["zenka": "\(name)"])
    }

    func newInstanceID() -> Int {
        while true {
            let id = Int.random(in: 1_000_000...9_999_999)
            if instances[id] == nil { return id }
        }
    }

    /// `@sample` runs the `zenka` executable next to `cube` with the sample's name.
    func resolve(_ definition: ZenkaDefinition) -> (String, [String]) {
        guard definition.program.hasPrefix("@") else { return (definition.program, definition.arguments) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "cube"
        let directory = (executable as NSString).deletingLastPathComponent
        return (directory + "/zenka", [String(definition.program.dropFirst())] + definition.arguments)
    }

    /// Creates `<runtime>/zenki/<name>` (or the configured directory) with the zenka's files.
    func prepareDirectory(for definition: ZenkaDefinition) throws -> String {
        let directory = definition.directory ?? runtimeDirectory + "/zenki/" + definition.name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, bytes) in files[definition.name] ?? [:] where name != "zenka.conf" {
            let path = directory + "/" + name
            // Scripts (`#!`) stay executable; data files are not.
            let mode = bytes.starts(with: Array("#!".utf8)) ? 0o755 : 0o644
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: mode])
            else { throw ManagerError.spawn(errno) }
        }
        return directory
    }

    /// Writes a fresh one-time key to `path` (mode 0600) so an SDK zenka can log in again
    /// after losing its connection.
    func writeKeyFile(_ path: String, name: String) {
        let key = SecureRandom.sessionKey()
        hub.registerZenkaKey(name: name, key: key)
        if !FileManager.default.createFile(atPath: path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) {
            logger.warning("cannot write key file", metadata: ["path": "\(path)"])
        }
    }
}
