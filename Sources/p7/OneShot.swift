import CubeClient
import CubeCore
#if canImport(Glibc)
import Glibc
#endif

/// Connects, logs in, sends one command and turns its replies into output and an exit status.
struct OneShot {
    /// The id p7 puts on its command. Any id of 2–15 digits would do (the original cube refuses
    /// one digit), as long as it differs from the size-unit request's.
    static let commandID: UInt64 = CommandID.sizeUnitRequest + 1

    let invocation: Arguments.Invocation

    func run() -> ExitStatus {
        let connection: P7Connection
        do {
            connection = try Login.connect(invocation)
        } catch {
            StandardStream.error.write("p7: \(error)\n")
            return .connectFailed
        }
        defer { connection.close() }
        // Commands may legitimately run for minutes (the cube's route timeout bounds them).
        connection.timeout = nil
        do {
            // Bodies in bytes where the cube agrees, so binary output stays intact; an original
            // cube refuses and bodies are counted in characters, as it sends them.
            if !connection.isEncrypted { try connection.requestByteCounts() }
            try connection.sendCommand(id: Self.commandID, path: invocation.command, args: invocation.arguments)
            return try awaitFinalReply(on: connection)
        } catch .closedByPeer {
            StandardStream.error.write("p7: connection closed before the reply\n")
            return .protocolFailure
        } catch {
            StandardStream.error.write("p7: \(error)\n")
            return .protocolFailure
        }
    }

    /// Reads replies until the one that closes our route.
    private func awaitFinalReply(on connection: P7Connection) throws(ClientError) -> ExitStatus {
        while true {
            let received = try connection.readReceived()
            if case .terminate = received {
                StandardStream.error.write("p7: connection terminated: \(TerminalText.visible(received.textString))\n")
                return .protocolFailure
            }
            // An id-less reply is taken as ours: the cube drops the id only when it could not
            // parse our command, and that answer is the one the user needs to see.
            if received.id != 0, received.id != Self.commandID { continue }
            guard case .reply(let reply) = received else {
                StandardStream.error.write("p7: malformed reply: \(TerminalText.visible(received.line))\n")
                return .protocolFailure
            }
            if let status = handle(reply) { return status }
        }
    }

    /// Prints one reply; returns the exit status if it ends the route.
    private func handle(_ reply: Reply) -> ExitStatus? {
        switch reply.keyword {
        case .trueReply, .get, .term:
            StandardStream.output.write(reply.text + [0x0A])
            return .success
        case .falseReply:
            StandardStream.output.write(reply.text + [0x0A])
            if let hint = MismatchHint.hint(command: invocation.command, replyText: reply.textString) {
                StandardStream.error.write(hint + "\n")
            }
            return .falseReply
        case .size:
            StandardStream.output.write(reply.body ?? [])
            return .success
        case .stream:
            StandardStream.output.write(reply.body ?? [])
            return nil
        case .wait:
            StandardStream.error.write(reply.text + [0x0A])
            return nil
        }
    }

    /// The user name of `uid` from the password database, nil if it has none.
    static func userName(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result) == 0, result != nil,
              let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
