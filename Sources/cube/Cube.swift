import ArgumentParser
import CubeCore

import CubeRuntime
/// The `cube` command: runs a Protocol-7 node and offers its maintenance tools.
@main
struct Cube: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Route Protocol-7 commands between zenki and mount the network as a directory.",
        version: SoftwareVersion.line(tool: "cube"),
        subcommands: [Run.self, Reload.self, Passwd.self, CheckConfig.self, Unmount.self, Keygen.self, Cert.self, DefaultConfig.self],
        defaultSubcommand: Run.self)
}

/// Options every subcommand that reads the configuration shares.
struct ConfigurationOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Configuration file or directory (default: the embedded configuration).")
    var config: String?

    @Option(name: .long, help: "Unix socket path (overrides socket.unix.path).")
    var socket: String?

    @Option(name: .long, help: "Node name (overrides node.name).")
    var name: String?

    @Option(name: .long, help: "Mount the network at this directory (overrides mount.path).")
    var mount: String?

    @Flag(name: .long, help: "Do not mount the network, whatever the configuration says.")
    var noMount = false

    @Flag(name: .long, help: "Let other unix users enter the mount (overrides mount.allow-other).")
    var allowOther = false

    @Option(name: .long, help: "Also listen on TCP, as tcp:HOST:PORT (only c25519 is offered there).")
    var listen: String?

    @Option(name: .long, help: "This node's identity key file (overrides auth.c25519.identity).")
    var identity: String?

    @Option(name: .long, help: "Authorized client keys file (overrides auth.c25519.authorized-keys).")
    var authorizedKeys: String?

    @Option(name: .long, help: "Keep a link to this node, as tcp:HOST:PORT (repeatable; adds to network.peers).")
    var peer: [String] = []

    @Option(name: .long, help: "Trusted nodes file, '<node> <public-key>' per line (overrides network.nodes).")
    var nodes: String?

    func validate() throws {
        if let bad = peer.first(where: { PeerAddress($0) == nil }) {
            throw ValidationError("--peer needs tcp:HOST:PORT with a port in 1...65535, found '\(bad)'")
        }
        if let socket, !socket.hasPrefix("/") { throw ValidationError("--socket needs an absolute path") }
        if let name, !Names.isUserName(name.utf8) {
            throw ValidationError("--name must be 1-17 characters of [0-9A-Za-z_-], starting with a letter or digit")
        }
        if let mount, !mount.hasPrefix("/") { throw ValidationError("--mount needs an absolute path") }
        if mount != nil && noMount { throw ValidationError("--mount and --no-mount exclude each other") }
        if let listen, PeerAddress(listen) == nil {
            throw ValidationError("--listen needs tcp:HOST:PORT with a port in 1...65535")
        }
    }

    /// The configuration with this command line's overrides applied.
    func load() throws -> LoadedConfiguration {
        var loaded = try ConfigurationLoader.load(path: config, owner: UnixUser.current)
        var configuration = loaded.configuration
        if let socket { configuration.unixSocketPath = socket }
        if let name { configuration.nodeName = name }
        if let mount { configuration.mountPath = mount }
        if noMount { configuration.mountPath = nil }
        if allowOther { configuration.mountAllowOther = true }
        if let listen = listen.flatMap(PeerAddress.init) { configuration.tcpListen = listen.hostPort.description }
        if let identity { configuration.identityKeyPath = identity }
        if let authorizedKeys { configuration.authorizedKeysPath = authorizedKeys }
        for address in peer.compactMap(PeerAddress.init) where !configuration.network.peers.contains(address) {
            configuration.network.peers.append(address)
        }
        if let nodes { configuration.network.nodesPath = nodes }
        // Values read again with the identity key at start: checked here too, so that
        // check-config, a reload and a cube without an identity refuse them as `run` would.
        _ = try Daemon.trustedSigners(configuration)
        loaded.configuration = configuration
        return loaded
    }
}
