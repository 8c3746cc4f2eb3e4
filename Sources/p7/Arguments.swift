import CubeAuth
import CubeClient

/// p7's command line, parsed by hand: ArgumentParser would cost start-up time in a tool that
/// scripts run thousands of times.
enum Arguments: Equatable {
    /// What to send, and where.
    struct Invocation: Equatable {
        /// `--socket PATH`, if given.
        var socketPath: String?
        /// `--connect ADDRESS` (`tcp:HOST:PORT` or `unix:PATH`), if given, as typed.
        var connect: String?
        /// `--key FILE`: the identity key for a `c25519` login.
        var keyPath: String?
        /// `--cert FILE`: a key certificate for `--key`, presented before the handshake.
        var certificatePath: String?
        /// `--known-nodes FILE`, if given.
        var knownNodesPath: String?
        /// `--retired-grace SECONDS`: how long after a followed rotation the retired key is
        /// still accepted (docs/security.md, "Node key rotation"); nil: one day.
        var retiredGrace: Int64?
        /// `--pin`: trust and record the key of a node not yet in the known-nodes file.
        var pin = false
        /// `--callout USER`: log in with method `callout` (the credential comes from
        /// ``Login/credentialVariable``, never from the command line).
        var calloutUser: String?
        /// The command path, e.g. `heart` or `calc.table`.
        var command: String
        /// The remaining words joined with single spaces (empty if none).
        var arguments: String
    }

    /// `-h`/`--help`.
    case help
    /// `-V`/`--version`.
    case version
    /// A command to run.
    case run(Invocation)
    /// No command, or `shell`: the interactive terminal (its `command` is empty).
    case shell(Invocation)
    /// `top [--once] [--interval SECONDS]`: the live view.
    case top(Invocation, once: Bool, interval: Duration)
    /// `watch <pattern>`: routed traffic matching the pattern.
    case watch(Invocation, pattern: String)
    /// The command line is wrong; carries the reason.
    case usageError(String)

    /// Options that take a value, with their short forms.
    private static let valued: [String: String] = [
        "--socket": "--socket", "-s": "--socket", "--connect": "--connect", "-c": "--connect",
        "--key": "--key", "-k": "--key", "--known-nodes": "--known-nodes", "--callout": "--callout", "--cert": "--cert",
        "--retired-grace": "--retired-grace",
    ]

    /// Parses the arguments after the program name. Options are recognised only before the
    /// command; everything after it belongs to the command, so `p7 calc.add -5` works.
    static func parse(_ words: [String]) -> Arguments {
        var values: [String: String] = [:]
        var pin = false
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" {
                index += 1
                break
            }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            if word == "-h" || word == "--help" { return .help }
            if word == "-V" || word == "--version" { return .version }
            if word == "--pin" {
                pin = true
                index += 1
                continue
            }
            if let option = valued[word] {
                guard index + 1 < words.count else { return .usageError("\(word) needs a value") }
                values[option] = words[index + 1]
                index += 2
                continue
            }
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--"), let option = valued[String(word[..<equals])] {
                values[option] = String(word[word.index(after: equals)...])
                index += 1
                continue
            }
            return .usageError("unknown option \(word)")
        }
        // `p7 "$CMD"` with CMD empty is a mistake in a script, not a wish for the terminal:
        // a usage error (status 2) rather than a prompt that waits (a hostile operator's finding).
        if index < words.count && words[index].allSatisfy(\.isWhitespace) {
            return .usageError("an empty command: give a command, or nothing for the terminal")
        }
        let command = index < words.count ? words[index] : ""
        let rest = index < words.count ? Array(words[(index + 1)...]) : []
        // One command is one line: a line end inside an argument would send a second command
        // (it was sent, and the exit said the connection went wrong, 4).
        if ([command] + rest).contains(where: { $0.contains(where: { $0 == "\n" || $0 == "\r" }) }) {
            return .usageError("a command is one line: no line end in its words")
        }
        var invocation = Invocation(
            socketPath: values["--socket"], connect: values["--connect"], keyPath: values["--key"],
            certificatePath: values["--cert"], knownNodesPath: values["--known-nodes"], pin: pin,
            calloutUser: values["--callout"], command: command,
            arguments: rest.joined(separator: " "))
        if let text = values["--retired-grace"] {
            guard let seconds = Int64(text), seconds >= 0, seconds <= KeyRotation.graceSeconds else {
                return .usageError("--retired-grace needs seconds, 0 to \(KeyRotation.graceSeconds) (30 days)")
            }
            invocation.retiredGrace = seconds
        }
        if let problem = check(invocation) { return .usageError(problem) }
        switch command {
        case "", "shell":
            guard rest.isEmpty else { return .usageError("shell takes no arguments") }
            invocation.command = ""
            return .shell(invocation)
        case "top":
            return parseTop(rest, invocation)
        case "watch":
            guard rest.count == 1, !rest[0].isEmpty else { return .usageError("watch needs one pattern, e.g. 'calc.*'") }
            return .watch(invocation, pattern: rest[0])
        default:
            return .run(invocation)
        }
    }

    /// `top`'s own options.
    private static func parseTop(_ words: [String], _ invocation: Invocation) -> Arguments {
        var once = false
        var interval: Duration = .seconds(1)
        var index = 0
        while index < words.count {
            switch words[index] {
            case "--once":
                once = true
            case "--interval":
                guard index + 1 < words.count, let seconds = Double(words[index + 1]), seconds >= 0.1, seconds <= 3600 else {
                    return .usageError("--interval needs seconds between 0.1 and 3600")
                }
                interval = .milliseconds(Int64(seconds * 1000))
                index += 1
            default:
                return .usageError("top takes --once and --interval SECONDS, not '\(words[index])'")
            }
            index += 1
        }
        return .top(invocation, once: once, interval: interval)
    }

    /// Combinations that make no sense.
    private static func check(_ invocation: Invocation) -> String? {
        if invocation.socketPath != nil && invocation.connect != nil { return "--socket and --connect exclude each other" }
        if let connect = invocation.connect {
            guard let address = ClientAddress(parsing: connect) else {
                return "--connect needs tcp:HOST:PORT or unix:PATH, not '\(connect)'"
            }
            if case .tcp = address, invocation.keyPath == nil, invocation.calloutUser == nil {
                return "--connect \(connect) needs --key FILE (TCP offers only c25519, and callout where allowed)"
            }
        }
        if let user = invocation.calloutUser {
            guard !user.isEmpty else { return "--callout needs a user name" }
            if invocation.keyPath != nil { return "--callout and --key exclude each other" }
        }
        if invocation.keyPath?.isEmpty == true { return "--key needs a file" }
        if invocation.knownNodesPath?.isEmpty == true { return "--known-nodes needs a file" }
        if invocation.certificatePath?.isEmpty == true { return "--cert needs a file" }
        if invocation.keyPath == nil && invocation.certificatePath != nil { return "--cert needs --key FILE (the certified key)" }
        if invocation.keyPath == nil && (invocation.pin || invocation.knownNodesPath != nil || invocation.retiredGrace != nil) {
            return "--pin, --known-nodes and --retired-grace only apply to a c25519 login (--key FILE)"
        }
        return nil
    }
}
