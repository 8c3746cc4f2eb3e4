import ArgumentParser
import CubeZenka

/// Options every sample zenka takes to override the manager's environment.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The cube's unix socket (default: $PROTOCOL_7_UNIX_PATH).")
    var socket: String?

    @Option(name: .long, help: "The zenka name, name or name[sub] (default: $PROTOCOL_7_ZENKA_NAME or the subcommand's).")
    var name: String?

    @Option(name: .customLong("unix-user"), help: "Log in with method unix as this name when no key is given.")
    var unixUser: String?

    /// A zenka named `defaultName` unless overridden, with settings from the environment and these options.
    func makeZenka(defaultName: String) -> Zenka {
        let environment = ZenkaSettings.fromEnvironment(defaultName: defaultName)
        let settings = ZenkaSettings(
            socketPath: socket ?? environment.socketPath, name: name ?? environment.name,
            key: environment.key, keyFile: environment.keyFile,
            unixUser: unixUser ?? (name == nil ? environment.unixUser : nil))
        return Zenka(settings: settings)
    }
}
