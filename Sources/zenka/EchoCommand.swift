import ArgumentParser
import CubeZenka

/// `zenka echo`: `echo <args>` → `TRUE <args>`.
struct EchoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "echo", abstract: "Answers echo <text> with TRUE <text>.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let zenka = connection.makeZenka(defaultName: "echo")
        zenka.command("echo", help: "echo <text>: answers TRUE <text>") { call in .true(call.args) }
        try await zenka.run()
    }
}
