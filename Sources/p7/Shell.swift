import CubeClient
import CubeCore

/// `p7` without a command, or `p7 shell`: an interactive terminal on one session, the role the
/// original's `nshell` plays (docs/p7.md "The terminal").
///
/// Each line is sent as one command; its replies are shown as they arrive (`SIZE` and `STRM`
/// bodies as text when they are text), and Ctrl-C abandons a command still waiting. `select`
/// and `..` work as on the wire (the cube keeps the base path, docs/protocol.md §4.2); the prompt
/// shows it. `TAB` completes the command word (``Completer``).
final class Shell {
    /// How long completion waits for a listing before offering nothing.
    static let listingDeadline: Duration = .seconds(3)

    private let invocation: Arguments.Invocation
    /// The selected base path, as the cube confirmed it.
    private var base: String?
    private var node = "cube"

    init(invocation: Arguments.Invocation) {
        self.invocation = invocation
    }

    func run() -> ExitStatus {
        Interrupt.install()
        guard let conversation = Login.conversation(invocation) else { return .connectFailed }
        defer { conversation.connection.close() }
        do {
            return try converse(conversation)
        } catch .closedByPeer {
            StandardStream.error.write("p7: the cube closed the connection\n")
            return .success
        } catch {
            StandardStream.error.write("p7: \(error)\n")
            return .protocolFailure
        }
    }

    private func converse(_ conversation: Conversation) throws(ClientError) -> ExitStatus {
        if case .final(.reply(let reply)) = try conversation.run("..name", deadline: Self.listingDeadline),
           reply.keyword == .trueReply {
            node = Readable.line(reply.text)
        }
        let completer = Completer { query in
            guard case .final(.reply(let reply))? = try? conversation.run(query, deadline: Self.listingDeadline),
                  reply.keyword == .size, let text = Readable.text(reply.body ?? [])
            else { return nil }
            return Completer.rows(of: text)
        }
        let editor = LineEditor(historyPath: LineEditor.defaultHistoryPath()) { [unowned self] word in
            completer.candidates(for: word, base: base)
        }
        defer { editor.save() }
        StandardStream.output.write(
            "p7 terminal on \(node): TAB completes, Ctrl-C abandons a waiting command, Ctrl-D leaves\n")
        while true {
            guard let typed = editor.readLine(prompt: prompt) else {
                if Interrupt.take() {
                    StandardStream.output.write("\n")
                    continue
                }
                StandardStream.output.write("\n")
                return .success
            }
            let line = typed.trimmingBlanks
            guard !line.isEmpty else { continue }
            editor.remember(line)
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            // With a base path set, `select` would go to the selected target: run it locally.
            let sent = base != nil && words[0] == "select" ? ".." + line : line
            _ = Interrupt.take()
            switch try conversation.run(sent, interim: showReply, notice: { show($0) }) {
            case .abandoned:
                StandardStream.output.write("^C abandoned; its replies will be ignored\n")
            case .final(let received):
                show(received)
                // The cube closes the session after `exit`'s reply.
                if words[0] == "exit" || words[0] == "..exit" { return .success }
                if received.reply?.keyword == .trueReply { track(words) }
                if words[0] == "select" || words[0] == "..select" { completer.forget() }
            }
        }
    }

    /// `node> ` or `node calc> ` with a base path selected.
    private var prompt: String {
        base.map { "\(node) \($0)> " } ?? "\(node)> "
    }

    /// Follows the base path after a command the cube confirmed.
    private func track(_ words: [String]) {
        switch words[0] {
        case "select", "..select": base = words.count > 1 ? words[1] : base
        case "..", "unselect", "..unselect": base = nil
        default: break
        }
    }

    /// A final reply as its keyword and text (a body as text when it is text); a line that is
    /// no reply as it came.
    private func show(_ received: Received) {
        guard case .reply(let reply) = received else {
            StandardStream.output.write(Readable.line(received.line) + "\n")
            return
        }
        showReply(reply)
    }

    private func showReply(_ reply: Reply) {
        switch reply.keyword {
        case .size:
            StandardStream.output.write(Readable.show(reply.body ?? [], keyword: "SIZE"))
        case .stream:
            // `STRM open` announces a stream and carries no data.
            if Wire.isStreamOpen(reply.text) { return }
            if let body = reply.body, !body.isEmpty { StandardStream.output.write(Readable.show(body, keyword: "STRM")) }
        case .trueReply: StandardStream.output.write("TRUE " + Readable.line(reply.text) + "\n")
        case .falseReply: StandardStream.output.write("FALSE " + Readable.line(reply.text) + "\n")
        case .wait: StandardStream.output.write("WAIT " + Readable.line(reply.text) + "\n")
        case .get: StandardStream.output.write("GET " + Readable.line(reply.text) + "\n")
        case .term: StandardStream.output.write("TERM " + Readable.line(reply.text) + "\n")
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingBlanks: String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
