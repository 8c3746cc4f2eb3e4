/// p7's command line, parsed by hand: ArgumentParser would cost start-up time in a tool that
/// scripts run thousands of times.
enum Arguments: Equatable {
    /// What to send, and where.
    struct Invocation: Equatable {
        /// `--socket PATH`, if given.
        var socketPath: String?
        /// The command path, e.g. `heart` or `calc.table`.
        var command: String
        /// The remaining words joined with single spaces (empty if none).
        var arguments: String
    }

    /// `-h`/`--help`.
    case help
    /// A command to run.
    case run(Invocation)
    /// The command line is wrong; carries the reason.
    case usageError(String)

    /// Parses the arguments after the program name. Options are recognised only before the
    /// command; everything after it belongs to the command, so `p7 calc.add -5` works.
    static func parse(_ words: [String]) -> Arguments {
        var socketPath: String?
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" {
                index += 1
                break
            }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            switch word {
            case "-h", "--help":
                return .help
            case "--socket", "-s":
                guard index + 1 < words.count else { return .usageError("\(word) needs a path") }
                socketPath = words[index + 1]
                index += 2
            default:
                if word.hasPrefix("--socket=") {
                    socketPath = String(word.dropFirst("--socket=".count))
                    index += 1
                } else {
                    return .usageError("unknown option \(word)")
                }
            }
        }
        guard index < words.count, !words[index].isEmpty else { return .usageError("no command given") }
        let invocation = Invocation(socketPath: socketPath, command: words[index],
                                    arguments: words[(index + 1)...].joined(separator: " "))
        return .run(invocation)
    }
}
