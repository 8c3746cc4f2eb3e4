import CubeCore

extension Zenka {
    /// Handles the link's messages in wire order until it closes; returns why it closed.
    func serve(_ link: Link) async -> String {
        var reason = "connection ended"
        for await event in link.events {
            switch event {
            case .frame(let frame): handle(frame, from: link)
            case .closed(let why): reason = why
            }
        }
        return reason
    }

    private func handle(_ frame: Frame, from link: Link) {
        switch frame {
        case .lineTooLong:
            log("dropped an over-long line from the cube")
            return
        case .bodyTooLarge(let header):
            log("dropped an over-large body: \(String(decoding: header, as: UTF8.self))")
            return
        case .line, .body, .multiline:
            break
        }
        switch Message(frame: frame) {
        case .command(let command):
            if handledNotice(command) { return }
            Task { await self.invoke(command, on: link) }
        case .reply:
            // The receiver's reading keeps the text exactly as sent (the router's trims it).
            if case .reply(let reply) = Received(frame: frame) {
                deliver(reply)
            } else {
                log("ignored an unparsable line: \(Self.text(of: frame))")
            }
        case .terminate:
            log("the cube is closing the connection: \(Self.text(of: frame))")
            link.close()
        case .empty:
            break
        case .invalid:
            log("ignored an unparsable line: \(Self.text(of: frame))")
        }
    }

    /// Runs the command's handler (or a built-in) and writes its final reply.
    private func invoke(_ command: Command, on link: Link) async {
        let call = Call(command: command, link: link)
        let reply: ZenkaReply
        let dispatch = state.withLock { $0.commands.dispatch(call.command, answerer: settings.name) }
        switch dispatch {
        case .answer(let keyword, let text): reply = keyword == .trueReply ? .true(text) : .false(text)
        case .listing: reply = .size(text: state.withLock { $0.commands.listing(.nameHelp) } ?? "")
        case .run(let handler):
            do {
                reply = try await handler(call)
            } catch {
                log("command '\(call.command)' (\(call.id)) failed: \(error)")
                reply = .false(Wire.invocationError)
            }
        case .unknown: reply = .false(Wire.commandDoesNotExist)
        }
        do {
            try link.write(reply.render(id: call.id, unit: link.sizeUnit))
        } catch {
            log("reply to '\(call.command)' (\(call.id)) not sent: \(error)")
        }
    }

    /// Hands a reply to the ``send(_:args:headers:body:onInterim:)`` waiting for its id.
    private func deliver(_ reply: Reply) {
        let id = reply.id
        guard id != 0 else {
            log("dropped a reply without id: \(reply.textString)")
            return
        }
        let entry = state.withLock { state -> ZenkaState.Pending? in
            reply.keyword.closesRoute ? state.pending.removeValue(forKey: id) : state.pending[id]
        }
        guard let entry else {
            log("dropped a late reply (\(id)): \(String(decoding: Received.reply(reply).line, as: UTF8.self))")
            return
        }
        if reply.keyword.closesRoute {
            entry.continuation.resume(returning: reply)
        } else {
            entry.onInterim?(reply)
        }
    }

    private static func text(of frame: Frame) -> String {
        switch frame {
        case .line(let line): String(decoding: line, as: UTF8.self)
        case .body(let header, _), .multiline(let header, _), .bodyTooLarge(let header):
            String(decoding: header, as: UTF8.self)
        case .lineTooLong: "(over-long line)"
        }
    }
}
