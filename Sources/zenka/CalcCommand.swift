import ArgumentParser
import CubeZenka

/// `zenka calc`: `eval <expr>` → `TRUE <result>` or `FALSE <reason>`.
struct CalcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calc", abstract: "Evaluates arithmetic expressions.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let zenka = connection.makeZenka(defaultName: "calc")
        zenka.command("eval", help: "eval <expr>: + - * / % ( ), integers and decimals, e.g. eval 2*(3+4)") { call in
            do {
                return .true(try Calculator.evaluateText(call.args))
            } catch {
                return .false("\(error)")
            }
        }
        try await zenka.run()
    }
}
