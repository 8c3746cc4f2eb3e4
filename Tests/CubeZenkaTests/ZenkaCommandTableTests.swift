@testable import CubeZenka
import Testing

/// A zenka's commands are one table (docs/zenki.md): built-ins first and fixed, its own commands
/// after them in name order, and the listing is exactly what dispatch answers.
@Suite struct ZenkaCommandTableTests {
    @Test func builtinsStayFirstAndCannotBeReplacedOwnCommandsAreInNameOrder() {
        let zenka = Zenka(settings: ZenkaSettings(socketPath: "/nonexistent.sock", name: "hello"))
        zenka.command("greet", help: "greet <name>: says hello") { _ in .true("hi") }
        zenka.command("heart", help: "heart: mine") { _ in .true("not beating") }
        zenka.command("count", help: "count <n>: streams") { _ in .true("done") }
        zenka.command("greet", help: "greet <name>: says hello again") { _ in .true("hi again") }
        let table = zenka.state.withLock { $0.commands }
        #expect(table.entries.map(\.name) == ["heart", "name", "commands", "count", "greet"])
        guard case .answer(.trueReply, "beating") = table.dispatch("heart", answerer: zenka.name),
              case .answer(.trueReply, "hello") = table.dispatch("name", answerer: zenka.name),
              case .run = table.dispatch("greet", answerer: zenka.name),
              case .unknown = table.dispatch("eval", answerer: zenka.name)
        else {
            Issue.record("dispatch")
            return
        }
        let listing = table.listing(.nameHelp) ?? ""
        #expect(listing.contains("greet <name>: says hello again\n"))
        #expect(listing.contains("heart [notime]: answers TRUE beating\n") && !listing.contains("mine"))
    }
}
