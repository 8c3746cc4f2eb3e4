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

    init(id: UInt64, path: ArraySlice<UInt8>, args: ArraySlice<UInt8>? = nil, multiline: Multiline? = nil) {
        self.id = id
        self.path = path
        self.args = args
        self.multiline = multiline
    }

    /// A view of an owned command (its arrays are shared, not copied).
    init(_ command: Command) {
        self.init(id: command.id, path: command.path[...], args: command.args?[...], multiline: command.multiline)
    }

    /// The command with its own arrays.
    var owned: Command {
        Command(id: id, path: Array(path), args: args.map(Array.init), multiline: multiline)
    }

    /// ``Command/byteCount``.
    var byteCount: Int { Command.byteCount(path: path.count, args: args?.count ?? 0, multiline: multiline) }
}
