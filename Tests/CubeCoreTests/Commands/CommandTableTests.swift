@testable import CubeCore
import Testing

/// One table dispatches and lists (docs/protocol.md §8): the rows `commands` shows are the rows
/// the dispatcher runs.
@Suite struct CommandTableTests {
    private typealias Row = CommandEntry<Int>

    private static let table = CommandTable<Int>([
        Row(name: "heart", usage: "heart [notime]", summary: "liveness", access: .everyone, action: .heart),
        Row("zeta", "zeta <x>", "last letter", .granted, handler: 26),
        Row(name: "name", usage: "name", summary: "who", access: .everyone, action: .name),
        Row(name: "commands", usage: "commands", summary: "this table", access: .granted, action: .commands),
        Row("alpha", "alpha", "first letter", .everyone, handler: 1),
        Row("alpha", "alpha", "a second row of the same name is ignored", .everyone, handler: 99),
    ])

    @Test func standardCommandsAreAnsweredByTheTable() {
        guard case .answer(.trueReply, "beating") = Self.table.dispatch("heart", answerer: "n1") else {
            Issue.record("heart")
            return
        }
        guard case .answer(.trueReply, "n1") = Self.table.dispatch("name", answerer: "n1") else {
            Issue.record("name")
            return
        }
        guard case .listing = Self.table.dispatch("commands", answerer: "n1") else {
            Issue.record("commands")
            return
        }
    }

    @Test func ownCommandsRunTheirHandlerAndUnknownOnesAreUnknown() {
        guard case .run(1) = Self.table.dispatch("alpha", answerer: "n1"),
              case .run(26) = Self.table.dispatch("zeta", answerer: "n1"),
              case .unknown = Self.table.dispatch("alph", answerer: "n1"),
              case .unknown = Self.table.dispatch("", answerer: "n1")
        else {
            Issue.record("dispatch")
            return
        }
        #expect(Self.table.entries.map(\.name) == ["heart", "zeta", "name", "commands", "alpha"])
        #expect(Self.table.repeatedNames == ["alpha"])
    }

    @Test func listingHasEveryRowTheDispatcherRunsInTableOrder() throws {
        let text = try #require(Self.table.listing(.nameUsageSummary))
        let names = text.split(separator: "\n").dropFirst(2).map { String($0.prefix { $0 != " " }) }
        #expect(names == Self.table.entries.map(\.name))
        for name in names {
            if case .unknown = Self.table.dispatch(name, answerer: "n1") { Issue.record("\(name) listed but not dispatched") }
        }
        #expect(text.hasPrefix("command    usage" + String(repeating: " ", count: 12) + "description\n"))
        #expect(Self.table.listing(.nameUsageSummary) { _ in false } == nil)
    }

    /// Two rows of one name (say, from two merged branches) would hide the second one.
    @Test func theCubesLocalCommandsHaveOneRowPerName() {
        #expect(LocalCommand.all.repeatedNames.isEmpty)
    }

    @Test func eachLayoutShowsItsColumns() throws {
        let usage = try #require(Self.table.listing(.usageSummary) { $0.name == "zeta" })
        #expect(usage == "command    description\n" + String(repeating: "-", count: 22) + "\nzeta <x>   last letter\n")
        let help = try #require(Self.table.listing(.nameHelp) { $0.name == "zeta" })
        #expect(help == "command   help\n" + String(repeating: "-", count: 21) + "\nzeta      last letter\n")
    }

    @Test func addedRowsFollowInNameOrderAndCannotReplaceTheFirstRows() {
        var table = CommandTable<Int>([Row(name: "heart", usage: "heart", summary: "", access: .everyone, action: .heart)])
        let added = [
            table.add(Row("put", "put", "", .granted, handler: 1)),
            table.add(Row("get", "get", "", .granted, handler: 2)),
            table.add(Row("list", "list", "", .granted, handler: 3)),
            table.add(Row("get", "get", "replaced", .granted, handler: 4)),
            table.add(Row("heart", "heart", "", .granted, handler: 5)),
        ]
        #expect(added == [true, true, true, true, false])
        #expect(table.entries.map(\.name) == ["heart", "get", "list", "put"])
        guard case .run(4) = table.dispatch("get", answerer: "z"), case .run(1) = table.dispatch("put", answerer: "z"),
              case .answer(.trueReply, "beating") = table.dispatch("heart", answerer: "z")
        else {
            Issue.record("dispatch after add")
            return
        }
    }
}
