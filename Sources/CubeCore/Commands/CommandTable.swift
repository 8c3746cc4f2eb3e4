/// One set of commands that both dispatches and lists (as lib9p's `Cmdtab`): the cube's local
/// commands (`LocalCommand.all`), the manager's `v7` and each zenka of the SDK. `heart`, `name`
/// and `commands` are answered here, once for all three (docs/protocol.md §8).
package struct CommandTable<Handler: Sendable>: Sendable {
    /// The rows in listing order.
    package private(set) var entries: [CommandEntry<Handler>]
    /// Row index by name: dispatch runs for every local command, so it does not scan.
    private var positions: [String: Int] = [:]
    /// Rows before this index came with the table; rows added later are kept in name order.
    private let fixedCount: Int
    /// Names given more than once to ``init(_:)``: a mistake (a test checks each table has none).
    package private(set) var repeatedNames: [String] = []

    /// A table of `entries`, listed in this order. A later row of the same name is ignored
    /// and its name kept in ``repeatedNames``.
    package init(_ entries: [CommandEntry<Handler>]) {
        self.entries = []
        for entry in entries {
            guard positions[entry.name] == nil else {
                repeatedNames.append(entry.name)
                continue
            }
            positions[entry.name] = self.entries.count
            self.entries.append(entry)
        }
        fixedCount = self.entries.count
    }

    /// The row called `name`, if any.
    package subscript(name: String) -> CommandEntry<Handler>? {
        positions[name].map { entries[$0] }
    }

    /// Adds `entry` after the rows the table was created with, in name order, or replaces the
    /// added row of that name. Returns false, changing nothing, for the name of a row the table
    /// was created with (the SDK's built-ins always win).
    @discardableResult
    package mutating func add(_ entry: CommandEntry<Handler>) -> Bool {
        if let index = positions[entry.name] {
            guard index >= fixedCount else { return false }
            entries[index] = entry
            return true
        }
        let index = entries[fixedCount...].firstIndex { $0.name > entry.name } ?? entries.endIndex
        entries.insert(entry, at: index)
        for position in index..<entries.count { positions[entries[position].name] = position }
        return true
    }

    /// What to do for the command `name` of an answerer called `answerer`.
    package func dispatch(_ name: String, answerer: String) -> CommandDispatch<Handler> {
        guard let entry = self[name] else { return .unknown }
        switch entry.action {
        case .heart: return .answer(.trueReply, "beating")
        case .name: return .answer(.trueReply, answerer)
        case .commands: return .listing
        case .run(let handler): return .run(handler)
        }
    }

    /// The `commands` table of the rows `include` accepts, nil if it accepts none.
    package func listing(_ layout: CommandListing, where include: (CommandEntry<Handler>) -> Bool = { _ in true }) -> String? {
        var table = TextTable(headers: layout.headers)
        for entry in entries where include(entry) { table.append(layout.row(entry)) }
        return table.rows.isEmpty ? nil : table.render()
    }
}
