/// Everything the cube reads from its configuration, with the documented defaults.
///
/// Built from parsed entries by ``load(_:owner:)``; every key is listed in
/// `configuration/cube.conf`, the embedded default.
package struct CubeConfiguration: Equatable, Sendable {
    /// Size limits of docs/protocol.md §1.
    package struct Limits: Equatable, Sendable {
        package var preAuthLine = 1024
        package var line = 64 << 10
        package var body = 16 << 20
        package var outputQueue = 8 << 20
        package var sessions = 10_000
        package var routesPerSession = 10_000
        /// Failed logins per minute from one unix uid or one address before new
        /// connections from there are turned away.
        package var loginFailures = 20
        /// Sessions from one unix uid or one address that may wait to log in at once.
        package var preAuthSessions = 1024
        /// Bytes all users together may make the cube hold (buffered input, open routes,
        /// offers, queued commands and queued output; docs/security.md "Resource limits").
        package var memory = 512 << 20
        /// Bytes one user name may make the cube hold (its part of ``memory``).
        package var memoryPerUser = 64 << 20
        package init() {}
    }

    package var nodeName = "cube"
    package var unixSocketPath = "/run/protocol-7/cube.sock"
    package var unixSocketMode: UInt32 = 0o666
    /// `host:port` of the TCP listener (only `c25519` is offered there); nil = off.
    package var tcpListen: String?
    /// Event-loop threads serving the sockets (`socket.event-loops`); 0 = one per core.
    package var eventLoops = 0
    /// `socket.park-after`: seconds a connection stays quiet before it gives up its channel
    /// and waits on its descriptor alone (docs/performance.md "Idle memory per session");
    /// 0 = never. When on, a connection also parks 0.1 s after its connect or its login if its
    /// peer said nothing since, which is what keeps an idle session near 1.2 KiB.
    package var parkAfterSeconds = 30
    /// `socket.busy-poll`: microseconds an event loop polls without sleeping after a turn that
    /// read something, for the conversation's next line (docs/performance.md "Busy-polling");
    /// 0 = always sleep.
    package var busyPollMicroseconds = 50
    /// `host:port` of the Prometheus metrics endpoint (`metrics.listen`); nil = off.
    package var metricsListen: String?
    /// The node's Ed25519 identity key file (`cube keygen`); nil = no `c25519`.
    package var identityKeyPath: String?
    /// Client public keys and the user each logs in as (`c25519`).
    package var authorizedKeysPath: String?
    /// Other nodes (base32 public keys) whose key certificates are accepted.
    package var trustedSigners: [String] = []
    /// The key rotation statement this node serves (`auth.c25519.rotation`), if any.
    package var rotationPath: String?
    /// `auth.c25519.rotation.grace`: seconds after a rotation proof's issued time during which
    /// the retired key is still accepted for its node (docs/security.md, "Node key rotation").
    package var rotationGraceSeconds = Int(NodeKeyRotations.defaultRetiredGraceSeconds)
    /// The revocation list file (`auth.c25519.revocations`); nil: `revocations` next to the socket.
    package var revocationsPath: String?
    /// Scoped trusted signers by label (`auth.c25519.signer.<label>.*`).
    package var signers: [String: SignerSetup] = [:]
    package var authMethods = ["c25519", "zenka", "unix", "pwd"]
    package var unixImplicit = true
    package var zenkaAnyName = true
    package var zenkaKeyLifetimeSeconds = 60
    /// The `callout` method's program and bounds (`auth.callout.*`).
    package var callout = CalloutSettings()
    package var users: [String: UserSetup] = [:]
    package var access = AccessRules()
    package var limits = Limits()
    package var loginTimeoutSeconds = 17
    package var routeTimeoutSeconds = 120
    /// `leases.grace`: seconds a lease outlives its consumer's session (docs/market.md).
    package var leaseGraceSeconds = 300
    /// `market.charge-interval`: seconds between charges of a priced lease (docs/market.md).
    package var chargeIntervalSeconds = 60
    /// `state.directory`: where the market's SQLite store lives; nil = offers and leases in
    /// memory only (docs/market.md "Storage"). The shipped configuration sets /var/lib/protocol-7.
    package var stateDirectory: String?
    /// Where the network is mounted; nil = no mount.
    package var mountPath: String?
    /// Whether other unix users may enter the mount.
    package var mountAllowOther = false
    /// Links to other cubes, adverts, discovery.
    package var network = NetworkSettings()
    /// Slots lent to other nodes for bursts (`node.compute.*`, docs/pooling.md "Bursts").
    package var compute = ComputeSettings()
    /// Zenki the manager runs, by name.
    package var zenki: [String: ZenkaDefinition] = [:]
    /// The log level (`log.level`): one of ``logLevels``; `cube run --log-level` overrides it.
    package var logLevel = "info"
    /// Problems that do not stop the cube (unknown keys), one message each.
    package var warnings: [String] = []

    package init() {}


    /// The values `log.level` takes, most verbose first (swift-log's levels).
    package static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Interprets parsed entries. `<owner>` in keys and values becomes `owner`, the unix user
    /// running the cube. Later entries override earlier ones; patterns accumulate.
    /// - Throws: ``ConfigError`` for a value of the wrong type.
    package static func load(_ entries: [ConfigEntry], owner: String) throws(ConfigError) -> CubeConfiguration {
        var config = CubeConfiguration()
        var origins: [String: ConfigEntry] = [:]
        // Where each zenka's `depends` was set last: a circle is reported there.
        var dependsOrigins: [String: ConfigEntry] = [:]
        for raw in entries {
            var entry = raw
            entry.key = entry.key.replacing("<owner>", with: owner)
            entry.value = entry.value.replacing("<owner>", with: owner)
            try config.apply(entry)
            if let rest = entry.key.dropPrefix("zenka."), let name = rest.split(separator: ".").first {
                origins[String(name)] = origins[String(name)] ?? entry
                if rest.hasSuffix(".depends") { dependsOrigins[String(name)] = entry }
            }
        }
        for definition in config.zenki.values.sorted(by: { $0.name < $1.name }) {
            let origin = origins[definition.name]
            if definition.program.isEmpty {
                throw ConfigError(file: origin?.file ?? "configuration", line: origin?.line ?? 0,
                                  message: "zenka '\(definition.name)' has no program")
            }
            if definition.minimumInstances > definition.instances {
                throw ConfigError(file: origin?.file ?? "configuration", line: origin?.line ?? 0,
                                  message: "zenka '\(definition.name)': instances.min exceeds instances.max")
            }
        }
        if let cycle = ZenkaDefinition.dependencyCycle(in: config.zenki), let first = cycle.first {
            let origin = dependsOrigins[first] ?? origins[first]
            let message = cycle.count == 2
                ? "zenka '\(first)' depends on itself"
                : "zenki depend on each other in a circle: " + cycle.joined(separator: " -> ")
            throw ConfigError(file: origin?.file ?? "configuration", line: origin?.line ?? 0, message: message)
        }
        return config
    }

    private mutating func apply(_ entry: ConfigEntry) throws(ConfigError) {
        let value = entry.value
        func fail(_ message: String) -> ConfigError { ConfigError(file: entry.file, line: entry.line, message: message) }
        func integer(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw fail("'\(entry.key)' needs an integer in \(range.lowerBound)...\(range.upperBound), found '\(value)'")
            }
            return number
        }
        /// A `host:port` value, nil when empty (off).
        func hostPort() throws(ConfigError) -> String? {
            guard !value.isEmpty else { return nil }
            guard HostPort(value) != nil else { throw fail("'\(entry.key)' needs host:port, found '\(value)'") }
            return value
        }
        func flag() throws(ConfigError) -> Bool {
            switch value {
            case "yes", "true", "on", "1": return true
            case "no", "false", "off", "0": return false
            default: throw fail("'\(entry.key)' needs yes or no, found '\(value)'")
            }
        }
        if let name = entry.key.dropPrefix("auth.setup.usr.") {
            guard Names.isUserName(name.utf8) else { throw fail("invalid user name '\(name)'") }
            switch UserSetup.parse(value) {
            case .success(let setup): users[name] = setup
            case .failure(let bad): throw fail("unknown token '\(bad.token)' in '\(entry.key)'")
            }
            return
        }
        if let rest = entry.key.dropPrefix("zenka."), let dot = rest.firstIndex(of: ".") {
            let name = String(rest[..<dot])
            guard Names.isUserName(name.utf8) else { throw fail("invalid zenka name '\(name)'") }
            var definition = zenki[name] ?? ZenkaDefinition(name: name)
            if let problem = definition.apply(key: String(rest[rest.index(after: dot)...]), value: value) {
                throw fail(problem)
            }
            zenki[name] = definition
            return
        }
        if let rest = entry.key.dropPrefix("auth.c25519.signer."), let dot = rest.lastIndex(of: ".") {
            let label = String(rest[..<dot])
            guard Names.isUserName(label.utf8) else { throw fail("invalid signer label '\(label)'") }
            var setup = signers[label] ?? SignerSetup(label: label)
            if let problem = setup.apply(field: String(rest[rest.index(after: dot)...]), value: value) { throw fail(problem) }
            signers[label] = setup
            return
        }
        if let user = entry.key.dropPrefix("access.cmd.usr.") {
            access.allow(user, value.split(separator: " ").map { GlobPattern(String($0)) })
            return
        }
        switch entry.key {
        case "node.name":
            guard Names.isUserName(value.utf8) else { throw fail("invalid node name '\(value)'") }
            nodeName = value
        case "node.compute.slots": compute.slots = value.isEmpty ? nil : try integer(0...1024)
        case "node.compute.runs":
            let names = value.split(separator: ",").map(String.init)
            if let bad = names.first(where: { !Names.isUserName($0.utf8) }) {
                throw fail("'node.compute.runs' needs zenka names separated by commas, found '\(bad)'")
            }
            compute.runs = names
        case "socket.unix.path":
            guard value.hasPrefix("/") else { throw fail("'socket.unix.path' must be an absolute path") }
            unixSocketPath = value
        case "socket.unix.mode":
            guard let mode = UInt32(value, radix: 8), mode <= 0o777 else { throw fail("'socket.unix.mode' needs an octal mode") }
            unixSocketMode = mode
        case "socket.tcp.listen": tcpListen = try hostPort()
        case "socket.event-loops": eventLoops = try integer(0...256)
        case "socket.park-after": parkAfterSeconds = try integer(0...86_400)
        case "socket.busy-poll": busyPollMicroseconds = try integer(0...1_000)
        case "metrics.listen": metricsListen = try hostPort()
        case "auth.c25519.identity": identityKeyPath = value.isEmpty ? nil : value
        case "auth.c25519.authorized-keys": authorizedKeysPath = value.isEmpty ? nil : value
        case "auth.c25519.trusted-signers": trustedSigners = value.split(separator: " ").map(String.init)
        case "auth.c25519.rotation": rotationPath = value.isEmpty ? nil : value
        case "auth.c25519.rotation.grace": rotationGraceSeconds = try integer(0...2_592_000)
        case "auth.c25519.revocations":
            guard value.isEmpty || value.hasPrefix("/") else { throw fail("'auth.c25519.revocations' must be an absolute path") }
            revocationsPath = value.isEmpty ? nil : value
        case "auth.methods":
            let methods = value.split(separator: " ").map(String.init)
            if let unknown = methods.first(where: { !AuthMethods.names.contains($0) }) {
                throw fail("unknown authentication method '\(unknown)'")
            }
            authMethods = methods
        case "auth.unix.implicit": unixImplicit = try flag()
        case "auth.zenka.any-name": zenkaAnyName = try flag()
        case "auth.zenka.key-lifetime": zenkaKeyLifetimeSeconds = try integer(1...86_400)
        case "auth.callout.program":
            guard value.isEmpty || value.hasPrefix("/") else { throw fail("'auth.callout.program' must be an absolute path") }
            callout.program = value.isEmpty ? nil : value
        case "auth.callout.timeout": callout.timeoutSeconds = try integer(1...300)
        case "auth.callout.concurrency": callout.concurrency = try integer(1...64)
        case "auth.callout.tcp": callout.overTCP = try flag()
        case "limits.line.pre-auth": limits.preAuthLine = try integer(64...(1 << 20))
        case "limits.line": limits.line = try integer(1024...(64 << 20))
        case "limits.body": limits.body = try integer(1024...(1 << 30))
        case "limits.output-queue": limits.outputQueue = try integer(64 << 10...(1 << 30))
        case "limits.sessions": limits.sessions = try integer(1...1_000_000)
        case "limits.routes-per-session": limits.routesPerSession = try integer(1...1_000_000)
        case "limits.login-failures": limits.loginFailures = try integer(1...1_000_000)
        case "limits.pre-auth-sessions": limits.preAuthSessions = try integer(1...1_000_000)
        case "limits.memory": limits.memory = try integer((16 << 20)...(1 << 40))
        case "limits.memory.user": limits.memoryPerUser = try integer((1 << 20)...(1 << 40))
        case "timeouts.login": loginTimeoutSeconds = try integer(1...3600)
        case "timeouts.route": routeTimeoutSeconds = try integer(0...86_400)
        case "leases.grace": leaseGraceSeconds = try integer(0...86_400)
        case "market.charge-interval": chargeIntervalSeconds = try integer(1...86_400)
        case "state.directory":
            guard value.isEmpty || value.hasPrefix("/") else { throw fail("'state.directory' must be an absolute path") }
            stateDirectory = value.isEmpty ? nil : value
        case "mount.path":
            guard value.isEmpty || value.hasPrefix("/") else { throw fail("'mount.path' must be an absolute path") }
            mountPath = value.isEmpty ? nil : value
        case "mount.allow-other": mountAllowOther = try flag()
        case "network.peers":
            let peers = value.split(separator: " ").map(String.init)
            if let bad = peers.first(where: { PeerAddress($0) == nil }) {
                throw fail("'network.peers' needs tcp:HOST:PORT addresses, found '\(bad)'")
            }
            network.peers = peers.compactMap(PeerAddress.init)
        case "network.nodes": network.nodesPath = value.isEmpty ? nil : value
        case "network.link-access": network.linkAccess = value.split(separator: " ").map { GlobPattern(String($0)) }
        case "network.advert-interval": network.advertIntervalSeconds = try integer(1...3600)
        case "network.advert-max-age": network.advertMaximumAgeSeconds = try integer(10...86_400)
        case "network.max-nodes": network.topologyLimits.nodes = try integer(1...1_000_000)
        case "network.max-database": network.topologyLimits.databaseBytes = try integer(64 << 10...(1 << 30))
        case "network.unlisted-nodes":
            guard value == "accept" || value == "refuse" else {
                throw fail("'network.unlisted-nodes' needs accept or refuse, found '\(value)'")
            }
            network.topologyLimits.acceptsUnlisted = value == "accept"
        case "network.reconnect-max": network.reconnectMaximumSeconds = try integer(1...3600)
        case "network.link-timeout": network.linkTimeoutSeconds = try integer(3...3600)
        case "network.discovery.interface": network.discoveryInterface = value.isEmpty ? nil : value
        case "network.discovery.group":
            guard HostPort(value) != nil else { throw fail("'network.discovery.group' needs ADDRESS:PORT, found '\(value)'") }
            network.discoveryGroup = value
        case "network.discovery.interval": network.discoveryIntervalSeconds = try integer(1...3600)
        case "log.level":
            guard Self.logLevels.contains(value) else {
                throw fail("'log.level' needs one of \(Self.logLevels.joined(separator: ", ")), found '\(value)'")
            }
            logLevel = value
        default:
            warnings.append("\(entry.file):\(entry.line): unknown key '\(entry.key)' ignored")
        }
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil if it does not start with it.
    func dropPrefix(_ prefix: String) -> String? {
        guard hasPrefix(prefix), count > prefix.count else { return nil }
        return String(dropFirst(prefix.count))
    }
}
