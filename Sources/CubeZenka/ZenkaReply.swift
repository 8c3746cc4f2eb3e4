import CubeCore

/// The final answer of a command handler (docs/protocol.md §5).
public enum ZenkaReply: Sendable, Equatable {
    /// `TRUE <text>`: success.
    case `true`(String)
    /// `FALSE <text>`: failure.
    case `false`(String)
    /// `SIZE <n>` followed by these bytes.
    case size([UInt8])

    /// `SIZE` with the UTF-8 bytes of `text`.
    /// - Parameter text: the body.
    /// - Returns: the reply.
    public static func size(text: String) -> ZenkaReply { .size(Array(text.utf8)) }

    /// The wire bytes of this reply to command `id`, a body counted in `unit`.
    func render(id: UInt64, unit: SizeUnit) -> [UInt8] {
        switch self {
        case .true(let text): Render.reply(id: id, .trueReply, text)
        case .false(let text): Render.reply(id: id, .falseReply, text)
        case .size(let body): Render.body(id: id, .size, body, unit: unit)
        }
    }
}
