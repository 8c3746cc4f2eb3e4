/// What reloading the configuration does (docs/configuration.md "Reload"): the configuration
/// to run with from now on, the changes that apply live, and the changed keys that only a
/// restart can apply.
///
/// Pure, so the daemon, the router and the tests agree on one plan. Keys bound to resources
/// made at start (the sockets, the mount, the identity key, the trusted nodes, the
/// discovery socket, the advert database) keep their running values and are reported as
/// needing a restart; everything else is taken from the new configuration. Zenki are
/// compared by the manager, which also knows the files that travel with them.
package struct ConfigurationReload: Sendable {
    /// The running configuration with every live change applied.
    package let configuration: CubeConfiguration
    /// One line per change that applies now, e.g. `limits.line: 65536 -> 4096`.
    package let changes: [String]
    /// One line per changed key left as it is until a restart, e.g. `node.name: cube -> other`.
    package let needsRestart: [String]

    /// - Parameters:
    ///   - running: the configuration the cube runs with.
    ///   - loaded: the configuration just read (already valid).
    package init(running: CubeConfiguration, loaded: CubeConfiguration) {
        var applied = loaded
        var restart: [String] = []
        // Each restart-only key: report a difference, keep the running value.
        func keep<Value: Equatable>(_ key: String, _ path: WritableKeyPath<CubeConfiguration, Value>,
                                    _ show: (Value) -> String) {
            guard running[keyPath: path] != loaded[keyPath: path] else { return }
            restart.append("\(key): \(show(running[keyPath: path])) -> \(show(loaded[keyPath: path]))")
            applied[keyPath: path] = running[keyPath: path]
        }
        func text(_ value: String?) -> String { value.map { $0.isEmpty ? "(empty)" : $0 } ?? "(none)" }
        keep("node.name", \.nodeName) { $0 }
        keep("socket.unix.path", \.unixSocketPath) { $0 }
        keep("socket.unix.mode", \.unixSocketMode) { String($0, radix: 8) }
        keep("socket.tcp.listen", \.tcpListen, text)
        keep("socket.event-loops", \.eventLoops) { String($0) }
        keep("socket.park-after", \.parkAfterSeconds) { String($0) }
        keep("socket.busy-poll", \.busyPollMicroseconds) { String($0) }
        keep("mount.path", \.mountPath, text)
        keep("mount.allow-other", \.mountAllowOther) { $0 ? "yes" : "no" }
        keep("auth.c25519.identity", \.identityKeyPath, text)
        // Read at start; before, a change was neither applied nor reported (a reload said
        // "no changes": a hostile second reader).
        keep("metrics.listen", \.metricsListen, text)
        keep("auth.c25519.rotation", \.rotationPath, text)
        keep("auth.c25519.revocations", \.revocationsPath, text)
        keep("network.nodes", \.network.nodesPath, text)
        keep("state.directory", \.stateDirectory, text)
        keep("auth.c25519.rotation.grace", \.rotationGraceSeconds) { String($0) }
        keep("network.advert-max-age", \.network.advertMaximumAgeSeconds) { String($0) }
        keep("network.max-nodes", \.network.topologyLimits.nodes) { String($0) }
        keep("network.max-database", \.network.topologyLimits.databaseBytes) { String($0) }
        keep("network.unlisted-nodes", \.network.topologyLimits.acceptsUnlisted) { $0 ? "accept" : "refuse" }
        keep("network.discovery.interface", \.network.discoveryInterface, text)
        keep("network.discovery.group", \.network.discoveryGroup) { $0 }
        keep("network.discovery.interval", \.network.discoveryIntervalSeconds) { String($0) }
        keep("limits.output-queue", \.limits.outputQueue) { String($0) }
        // The manager makes the compute offer when it starts (docs/pooling.md "Bursts").
        keep("node.compute.slots", \.compute.slots) { $0.map(String.init) ?? "(cores)" }
        keep("node.compute.runs", \.compute.runs) { $0.isEmpty ? "(none)" : $0.joined(separator: ",") }
        // The checker's pool is made with its width at start (Hub.Delegates.checkers).
        keep("auth.callout.concurrency", \.callout.concurrency) { String($0) }
        configuration = applied
        needsRestart = restart
        changes = Self.changes(from: running, to: applied)
    }

    /// What to log and answer: the live changes, then `others` (files read again, what the
    /// manager did), then each key needing a restart.
    package func report(adding others: [String] = []) -> [String] {
        changes + others + needsRestart.map { "needs restart: " + $0 }
    }

    /// The live changes between two configurations, in key order.
    private static func changes(from old: CubeConfiguration, to new: CubeConfiguration) -> [String] {
        var lines: [String] = []
        func compare<Value: Equatable>(_ key: String, _ path: KeyPath<CubeConfiguration, Value>,
                                       _ show: (Value) -> String) {
            guard old[keyPath: path] != new[keyPath: path] else { return }
            lines.append("\(key): \(show(old[keyPath: path])) -> \(show(new[keyPath: path]))")
        }
        func words(_ list: [String]) -> String { list.isEmpty ? "(empty)" : list.joined(separator: " ") }
        compare("auth.methods", \.authMethods, words)
        compare("auth.unix.implicit", \.unixImplicit) { $0 ? "yes" : "no" }
        compare("auth.zenka.any-name", \.zenkaAnyName) { $0 ? "yes" : "no" }
        compare("auth.zenka.key-lifetime", \.zenkaKeyLifetimeSeconds) { String($0) }
        compare("auth.callout.program", \.callout.program) { $0 ?? "(none)" }
        compare("auth.callout.timeout", \.callout.timeoutSeconds) { String($0) }
        compare("auth.callout.tcp", \.callout.overTCP) { $0 ? "yes" : "no" }
        compare("auth.c25519.authorized-keys", \.authorizedKeysPath) { $0 ?? "(none)" }
        compare("auth.c25519.trusted-signers", \.trustedSigners, words)
        lines += named("auth.c25519.signer", old.signers, new.signers) { setup in
            "\(setup.key ?? "(no key)") names \(words(setup.names)) max-days \(setup.maximumDays.map(String.init) ?? "(none)")"
        }
        lines += named("auth.setup.usr", old.users, new.users)
        lines += named("access.cmd.usr", old.access.patterns, new.access.patterns) { patterns in
            words(patterns.map(\.description))
        }
        compare("limits.line.pre-auth", \.limits.preAuthLine) { String($0) }
        compare("limits.line", \.limits.line) { String($0) }
        compare("limits.body", \.limits.body) { String($0) }
        compare("limits.sessions", \.limits.sessions) { String($0) }
        compare("limits.routes-per-session", \.limits.routesPerSession) { String($0) }
        compare("limits.login-failures", \.limits.loginFailures) { String($0) }
        compare("limits.pre-auth-sessions", \.limits.preAuthSessions) { String($0) }
        compare("limits.memory", \.limits.memory) { String($0) }
        compare("limits.memory.user", \.limits.memoryPerUser) { String($0) }
        compare("timeouts.login", \.loginTimeoutSeconds) { String($0) }
        compare("timeouts.route", \.routeTimeoutSeconds) { String($0) }
        compare("leases.grace", \.leaseGraceSeconds) { String($0) }
        compare("market.charge-interval", \.chargeIntervalSeconds) { String($0) }
        compare("network.peers", \.network.peers) { words($0.map(\.description)) }
        compare("network.link-access", \.network.linkAccess) { words($0.map(\.description)) }
        compare("network.advert-interval", \.network.advertIntervalSeconds) { String($0) }
        compare("network.reconnect-max", \.network.reconnectMaximumSeconds) { String($0) }
        compare("network.link-timeout", \.network.linkTimeoutSeconds) { String($0) }
        compare("log.level", \.logLevel) { $0 }
        return lines
    }

    /// `<prefix>.<name> added|removed|changed` for every name whose entry differs.
    private static func named<Value: Equatable>(_ prefix: String, _ old: [String: Value], _ new: [String: Value],
                                                show: ((Value) -> String)? = nil) -> [String] {
        Set(old.keys).union(new.keys).sorted().compactMap { name in
            switch (old[name], new[name]) {
            case (nil, let added?): "\(prefix).\(name) added" + (show.map { ": " + $0(added) } ?? "")
            case (_?, nil): "\(prefix).\(name) removed"
            case (let before?, let after?) where before != after:
                "\(prefix).\(name) changed" + (show.map { ": " + $0(before) + " -> " + $0(after) } ?? "")
            default: nil
            }
        }
    }
}
