import ArgumentParser
import CubeZenka
import Foundation

/// `zenka p7-log`: collects `append` lines in memory; `tail [n]` returns the newest.
struct P7LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "p7-log", abstract: "Collects log lines from any zenka.")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "The most lines kept in memory.")
    var capacity = 10_000

    func run() async throws {
        let keeper = LogKeeper(capacity: capacity)
        let zenka = connection.makeZenka(defaultName: "p7-log")
        // `p7-log.append` is in the default `access.cmd.usr.*`: every user may log.
        zenka.command("append", help: "append <sender> <text>: stores '<time> <sender> <text>'", access: .everyone) { call in
            let parts = call.args.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { return .false("usage: append <sender> <text>") }
            let line = "\(Date().ISO8601Format()) \(parts[0]) \(parts[1])"
            await keeper.append(line)
            return .true("appended")
        }
        zenka.command("tail", help: "tail [n]: SIZE with the newest n lines (default 20)") { call in
            let count: Int
            if call.args.isEmpty {
                count = 20
            } else if let value = Int(call.args), value >= 0 {
                count = value
            } else {
                return .false("usage: tail [n], n a number of lines")
            }
            let lines = await keeper.tail(count)
            return .size(text: lines.map { $0 + "\n" }.joined())
        }
        try await zenka.run()
    }
}
