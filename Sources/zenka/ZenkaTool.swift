import ArgumentParser
import CubeCore

/// `zenka`: hosts the sample zenki; each runs as a subcommand until stopped.
@main
struct ZenkaTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zenka",
        abstract: "Sample Protocol-7 zenki built with the CubeZenka SDK.",
        discussion: "Started by the cube's manager, a zenka reads PROTOCOL_7_UNIX_PATH, PROTOCOL_7_ZENKA_NAME, "
            + "PROTOCOL_7_ZENKA_KEY (and optionally PROTOCOL_7_ZENKA_KEY_FILE). Run by hand, it logs in "
            + "with method unix as its name (or --unix-user) on --socket.",
        version: SoftwareVersion.line(tool: "zenka"),
        subcommands: [EchoCommand.self, CalcCommand.self, StorageCommand.self, P7LogCommand.self])
}
