/// A ``Command`` read in place: its path and arguments are slices of the line it came in
/// (``BorrowedFrame``), so routing it copies nothing but what the route keeps.
///
/// Lives for one router input. Anything that keeps a command past it (a queue, a door, a
/// local command's answer) takes ``owned``.
struct CommandView: Sendable {
    var id: UInt64
    var path: ArraySlice<UInt8>
    var args: ArraySlice<UInt8>?
    var multiline: Multiline?

    // Initialised through the implicit memberwise initialiser (the others are in an
    // extension so that it stays): an initialiser of the struct's own built the view in a
    // slot and copied it out, two retains and two releases of the line's storage per command
    // (docs/performance.md "Router CPU per pipelined request").
}

extension CommandView {
    /// The command whose path and arguments are at `path` and `args` in `line`
    /// (``MessageView/read(_:)``).
    static func reading(_ line: ArraySlice<UInt8>, id: UInt64, path: Range<Int>, args: Range<Int>?) -> CommandView {
        CommandView(id: id, path: line[path], args: args.map { line[$0] })
    }

    /// The command with its own arrays.
    var owned: Command {
        Command(id: id, path: Array(path), args: args.map(Array.init), multiline: multiline)
    }

    /// ``Command/byteCount``.
    var byteCount: Int { Command.byteCount(path: path.count, args: args?.count ?? 0, multiline: multiline) }
}
