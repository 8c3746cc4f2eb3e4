/// A ``Message`` read in place (``CommandView``, ``ReplyView``): what the router parses every
/// line of a logged-in session into. ``Message`` is its owned form, for callers that keep it.
enum MessageView: Sendable {
    case empty
    case terminate
    case command(CommandView)
    case reply(ReplyView)
    case invalid(ParseError)

    /// A view of an owned message.
    init(_ message: Message) {
        switch message {
        case .empty: self = .empty
        case .terminate: self = .terminate
        case .command(let command): self = .command(command.view)
        case .reply(let reply): self = .reply(reply.view)
        case .invalid(let error): self = .invalid(error)
        }
    }

    /// The message with its own arrays.
    var owned: Message {
        switch self {
        case .empty: .empty
        case .terminate: .terminate
        case .command(let command): .command(command.owned)
        case .reply(let reply): .reply(reply.owned)
        case .invalid(let error): .invalid(error)
        }
    }
}
