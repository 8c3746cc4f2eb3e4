#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CubeClient
import CubeCore

/// `p7 top`: a live view of one cube that redraws in place with ANSI escapes, like `nats top`
/// (docs/p7.md "p7 top"). Each interval it reads `stats`, `list zenki`, `list sessions` and
/// `links` and shows rates from the last two readings. `--once` prints one frame (two readings
/// one interval apart) and exits, for scripts and tests.
struct Top {
    let invocation: Arguments.Invocation
    let once: Bool
    let interval: Duration

    /// The listings must come back within this.
    static let deadline: Duration = .seconds(10)

    /// A failed reading; `description` is printed after `p7 top: `.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() -> ExitStatus {
        Interrupt.install()
        guard let conversation = Login.conversation(invocation) else { return .connectFailed }
        defer { conversation.connection.close() }
        do {
            let node = try text(of: "name", conversation)
            var previous = try sample(conversation)
            if once {
                guard pause() else { return .success }
                let frame = TopFrame(node: node, previous: previous, current: try sample(conversation))
                StandardStream.output.write(frame.lines(width: 1000).joined(separator: "\n") + "\n")
                return .success
            }
            // The alternate screen, cursor hidden; both restored however the loop ends.
            StandardStream.output.write("\u{1B}[?1049h\u{1B}[?25l")
            defer { StandardStream.output.write("\u{1B}[?25h\u{1B}[?1049l") }
            while pause() {
                let current = try sample(conversation)
                let lines = TopFrame(node: node, previous: previous, current: current).lines(width: Self.columns())
                let rows = Self.rows()
                // Home, each line cleared to its end, then the rest of the screen cleared.
                let shown = lines.prefix(max(1, rows - 1)).map { $0 + "\u{1B}[K" }
                StandardStream.output.write("\u{1B}[H" + shown.joined(separator: "\r\n") + "\u{1B}[J")
                previous = current
            }
            return .success
        } catch let failure as Failure {
            StandardStream.error.write("p7 top: \(failure)\n")
            return .falseReply
        } catch {
            StandardStream.error.write("p7 top: \(error)\n")
            return .protocolFailure
        }
    }

    /// Waits one interval; false when Ctrl-C was pressed.
    private func pause() -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + interval
        while clock.now < end {
            if Interrupt.take() { return false }
            let left = end - clock.now
            var request = timespec(tv_sec: 0, tv_nsec: Int(min(left, .milliseconds(100)).components.attoseconds / 1_000_000_000))
            nanosleep(&request, nil)
        }
        return !Interrupt.take()
    }

    private func sample(_ conversation: Conversation) throws -> TopSample {
        var sample = TopSample(at: ContinuousClock.now)
        sample.read(stats: try table(of: "stats", conversation))
        sample.read(zenki: try table(of: "list zenki", conversation))
        sample.sessions = try table(of: "list sessions", conversation)
        sample.links = try? table(of: "links", conversation)
        return sample
    }

    /// The `SIZE` body of a local command (run with `..`, past any base path).
    private func table(of command: String, _ conversation: Conversation) throws -> String {
        let received = try final(of: command, conversation)
        guard case .reply(let reply) = received, reply.keyword == .size else {
            throw Failure(description: "'\(command)' answered \(Readable.line(received.line)); "
                + "p7 top needs the commands stats, list and links (access.cmd.usr.<user> in the configuration)")
        }
        return Readable.text(reply.body ?? []) ?? ""
    }

    private func text(of command: String, _ conversation: Conversation) throws -> String {
        let received = try final(of: command, conversation)
        return received.reply?.keyword == .trueReply ? Readable.line(received.text) : "cube"
    }

    private func final(of command: String, _ conversation: Conversation) throws -> Received {
        switch try conversation.run(".." + command, deadline: Self.deadline) {
        case .final(let received): return received
        case .abandoned: throw Failure(description: "'\(command)' got no answer within \(Self.deadline)")
        }
    }

    /// The terminal's width, 80 if unknown.
    private static func columns() -> Int {
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    /// The terminal's height, 24 if unknown.
    private static func rows() -> Int {
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 ? Int(size.ws_row) : 24
    }
}
