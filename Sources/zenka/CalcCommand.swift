import ArgumentParser
import CubeZenka

/// `zenka calc`: `eval <expr>` → `TRUE <result>` or `FALSE <reason>`; `work <ms>` spends that
/// much CPU time first (load for pooling demos, docs/pooling.md).
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
        zenka.command("work", help: "work <ms>: spend that much CPU time (0-10000 ms), then answer 'done'") { call in
            guard let milliseconds = Int(call.args), (0...10_000).contains(milliseconds) else {
                return .false("usage: work <ms> (0-10000)")
            }
            // Busy on purpose: an instance that works is an instance that is loaded.
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: .milliseconds(milliseconds))
            while clock.now < end {}
            return .true("done")
        }
        try await zenka.run()
    }
}
