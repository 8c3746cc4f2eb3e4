import ArgumentParser
import CubeZenka

/// `zenka calc`: `eval <expr>` → `TRUE <result>` or `FALSE <reason>`; `work <ms>` spends that
/// much CPU time first (load for pooling demos, docs/pooling.md). With `--offer` it also
/// offers its CPU as leasable compute (docs/market.md).
struct CalcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calc", abstract: "Evaluates arithmetic expressions.")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp(
        "Also offer compute: '<kind> <capacity> [key=value...]', e.g. 'compute 4 price=1 cores=4'.",
        discussion: "Every lease that fits is granted: the cube reserves the capacity and charges the price "
            + "(docs/market.md); the holder sends eval and work like anyone."))
    var offer: String?

    func run() async throws {
        let zenka = connection.makeZenka(defaultName: "calc")
        if let offer {
            // The cube reserved the amount before asking: a lease that reaches us fits.
            zenka.onLeaseRequest { request in .true("granted \(request.amount)") }
            zenka.onConnect { zenka in
                // Offered again after every login: a restarted cube hands back the stored offer.
                let reply = try? await zenka.send("offer", args: offer)
                if reply?.keyword != .trueReply { zenka.log("offer not accepted: \(reply?.textString ?? "no answer")") }
            }
        }
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
