import CubeClient
import CubeCore

/// `p7 watch <pattern>`: prints, line by line, the commands routed through the cube whose path
/// matches the pattern and the replies on their routes, until Ctrl-C (docs/p7.md "p7 watch").
/// The cube sends them as `STRM` chunks of its `watch` command and drops what exceeds its
/// rate bound, saying how many lines it dropped.
struct Watch {
    let invocation: Arguments.Invocation
    let pattern: String

    func run() -> ExitStatus {
        Interrupt.install()
        guard let conversation = Login.conversation(invocation) else { return .connectFailed }
        defer { conversation.connection.close() }
        do {
            let outcome = try conversation.run("..watch " + pattern) { reply in
                switch reply.keyword {
                case .stream where !(reply.body ?? []).isEmpty:
                    StandardStream.output.write(Readable.show(reply.body ?? [], keyword: "STRM"))
                case .wait:
                    StandardStream.error.write("p7: \(Readable.line(reply.text))\n")
                default:
                    break
                }
            }
            switch outcome {
            case .final(let received):
                StandardStream.error.write("p7: \(Readable.line(received.text))\n")
                return received.reply?.keyword == .trueReply ? .success : .falseReply
            case .abandoned:
                // Ctrl-C: end the watch cleanly, so the cube reports what was dropped.
                if case .final(let received) = try conversation.run("..unwatch", deadline: .seconds(5)) {
                    if received.reply?.keyword != .trueReply { StandardStream.error.write("p7: \(Readable.line(received.text))\n") }
                }
                return .success
            }
        } catch {
            StandardStream.error.write("p7: \(error)\n")
            return .protocolFailure
        }
    }
}
