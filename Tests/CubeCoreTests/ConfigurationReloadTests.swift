import CubeCore
import Testing

private func load(_ text: String) throws -> CubeConfiguration {
    try CubeConfiguration.load(try ConfigFile.parse(text, file: "test.conf"), owner: "root")
}

/// What a reload applies live and what it leaves for a restart (docs/configuration.md "Reload").
@Suite struct ConfigurationReloadTests {
    static let running = """
        node.name = n1
        socket.unix.path = /run/a.sock
        mount.path = /run/net
        auth.c25519.identity = /etc/n1.key
        network.peers = tcp:a:1 tcp:b:2
        access.cmd.usr.alice = heart
        access.cmd.usr.bob = **
        auth.setup.usr.alice = :unix:alice
        limits.line = 65536
        """

    @Test func sameConfigurationChangesNothing() throws {
        let configuration = try load(Self.running)
        let reload = ConfigurationReload(running: configuration, loaded: configuration)
        #expect(reload.report().isEmpty)
        #expect(reload.configuration == configuration)
    }

    @Test func restartOnlyKeysKeepTheirRunningValues() throws {
        let running = try load(Self.running)
        let loaded = try load("""
            node.name = n2
            socket.unix.path = /run/b.sock
            socket.tcp.listen = 127.0.0.1:7070
            mount.path =
            auth.c25519.identity = /etc/n2.key
            network.nodes = /etc/nodes
            network.peers = tcp:a:1 tcp:b:2
            access.cmd.usr.alice = heart
            access.cmd.usr.bob = **
            auth.setup.usr.alice = :unix:alice
            limits.line = 65536
            limits.output-queue = 65536
            """)
        let reload = ConfigurationReload(running: running, loaded: loaded)
        #expect(reload.changes.isEmpty)
        #expect(reload.needsRestart == [
            "node.name: n1 -> n2",
            "socket.unix.path: /run/a.sock -> /run/b.sock",
            "socket.tcp.listen: (none) -> 127.0.0.1:7070",
            "mount.path: /run/net -> (none)",
            "auth.c25519.identity: /etc/n1.key -> /etc/n2.key",
            "network.nodes: (none) -> /etc/nodes",
            "limits.output-queue: 8388608 -> 65536",
        ])
        #expect(reload.configuration == running)
    }

    /// Keys read at start that a reload neither applied nor reported (a hostile second reader:
    /// a changed `metrics.listen` got `no changes`, and the old port kept answering).
    @Test func keysReadAtStartAreReportedAsNeedingARestart() throws {
        let running = try load(Self.running + "\nmetrics.listen = 127.0.0.1:9478\n")
        let loaded = try load(Self.running + """

            metrics.listen = 127.0.0.1:9479
            auth.c25519.rotation = /etc/rotation
            auth.c25519.revocations = /etc/revocations
            """)
        let reload = ConfigurationReload(running: running, loaded: loaded)
        #expect(reload.changes.isEmpty)
        #expect(reload.needsRestart == [
            "metrics.listen: 127.0.0.1:9478 -> 127.0.0.1:9479",
            "auth.c25519.rotation: (none) -> /etc/rotation",
            "auth.c25519.revocations: (none) -> /etc/revocations",
        ])
        #expect(reload.configuration == running)
    }

    @Test func liveKeysAreTakenAndReported() throws {
        let running = try load(Self.running)
        let loaded = try load("""
            node.name = n1
            socket.unix.path = /run/a.sock
            mount.path = /run/net
            auth.c25519.identity = /etc/n1.key
            network.peers = tcp:b:2 tcp:c:3
            access.cmd.usr.alice = heart calc.*
            access.cmd.usr.carol = whoami
            auth.setup.usr.bob = :unix:bob
            limits.line = 4096
            timeouts.route = 5
            log.level = debug
            """)
        let reload = ConfigurationReload(running: running, loaded: loaded)
        #expect(reload.needsRestart.isEmpty)
        #expect(reload.report(adding: ["zenka x added, starting"]) == [
            "auth.setup.usr.alice removed",
            "auth.setup.usr.bob added",
            "access.cmd.usr.alice changed: heart -> heart calc.*",
            "access.cmd.usr.bob removed",
            "access.cmd.usr.carol added: whoami",
            "limits.line: 65536 -> 4096",
            "timeouts.route: 120 -> 5",
            "network.peers: tcp:a:1 tcp:b:2 -> tcp:b:2 tcp:c:3",
            "log.level: info -> debug",
            "zenka x added, starting",
        ])
        #expect(reload.configuration == loaded)
    }
}
