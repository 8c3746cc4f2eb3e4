import CubeClient
import CubeCore

/// One command at a time over a logged-in connection, for the interactive tools: numbers the
/// commands, hands over every reply to the current one, and gives up when Ctrl-C is pressed or
/// a deadline passes. Replies to an abandoned command arrive later under its old id and are
/// dropped.
final class Conversation {
    /// How often a wait wakes to look for Ctrl-C.
    static let pollInterval: Duration = .milliseconds(100)

    /// How a command ended.
    enum Outcome {
        /// Its final reply, or a line that is no reply (shown as it came).
        case final(Received)
        /// Ctrl-C was pressed, or the deadline passed, before it.
        case abandoned
    }

    let connection: P7Connection
    private var nextID: UInt64 = CommandIDs.first

    init(connection: P7Connection) {
        self.connection = connection
        connection.timeout = Self.pollInterval
    }

    /// Sends `line` (a command as typed, without id) and waits for its final reply.
    /// - Parameters:
    ///   - deadline: give up after this long; nil waits until the reply or Ctrl-C.
    ///   - interim: called with each `WAIT` and `STRM` reply before the final one.
    ///   - notice: called with each line without id that is no reply (a notice such as
    ///     `lease-end <id> expired`): it is not the answer, which is still awaited.
    func run(_ line: String, deadline: Duration? = nil, interim: (Reply) -> Void = { _ in },
             notice: (Received) -> Void = { _ in }) throws(ClientError) -> Outcome
    {
        let id = nextID
        nextID = nextID >= CommandIDs.last ? CommandIDs.first : nextID + 1
        try connection.send("(\(id))" + line)
        let clock = ContinuousClock()
        let giveUp = deadline.map { clock.now + $0 }
        while true {
            let received: Received
            do {
                received = try connection.readReceived()
            } catch .timeout {
                if Interrupt.take() { return .abandoned }
                if let giveUp, clock.now >= giveUp { return .abandoned }
                continue
            }
            if case .terminate = received { throw .protocolError("connection terminated: \(received.textString)") }
            // Looked at after every line too, not only when a read times out: replies that keep
            // coming (a busy `watch`, a zenka streaming to `commands`) kept Ctrl-C and the
            // deadline from ever being seen (a hostile tester's finding).
            if Interrupt.take() { return .abandoned }
            if let giveUp, clock.now >= giveUp { return .abandoned }
            // A notice (`lease-end 4 expired`) is no answer: shown as the answer before, it
            // took the place of the real one, which was lost.
            if case .other = received, received.id == 0 {
                notice(received)
                continue
            }
            // An id-less reply is taken as ours, as the one-shot p7 does: the cube drops the id
            // only when it could not parse the command.
            if received.id != 0, received.id != id { continue }
            guard case .reply(let reply) = received, !reply.keyword.closesRoute else { return .final(received) }
            interim(reply)
        }
    }
}

/// The ids the interactive tools number their commands with: 5 digits, apart from the id of
/// the size-unit request (docs/protocol.md §5).
enum CommandIDs {
    static let first: UInt64 = 10_000
    static let last: UInt64 = 99_999
}
