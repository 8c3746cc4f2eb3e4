import CubeCore

/// Turns the frames written to a `cmd`/`ask` file into typed commands for the router's door.
///
/// Every command gets a fresh internal id (unique for the mount), so replies can be matched
/// to the port and the open file that asked; the id shown in `out` is the one the line
/// carried, or the internal id when it carried none.
package struct CommandTranslator: Sendable {
    /// One translated command, or the reason it was refused.
    package enum Outcome: Equatable, Sendable {
        case command(Translated)
        case refused(Refusal)
        case ignored
    }

    /// A command ready for the router: its path carries the port's prefix, its id is the
    /// mount-wide internal id.
    package struct Translated: Equatable, Sendable {
        package var command: Command
        package var visibleID: UInt64

        /// The id replies to it carry.
        package var internalID: UInt64 { command.id }
    }

    /// Why a frame was refused; ``errno`` names the `write()` error.
    package struct Refusal: Equatable, Sendable {
        package enum Kind: Equatable, Sendable {
            case invalid, denied, missing, tooLong
            /// A limit of the sender (open routes, memory share): the command fails, the write does not.
            case limit
            /// Not judged now: the writer's user name cannot be read (the user database
            /// unreadable, out of descriptors); a later try may succeed.
            case unavailable
        }
        package var kind: Kind
        package var visibleID: UInt64
        package var text: String

        package init(kind: Kind, visibleID: UInt64, text: String) {
            self.kind = kind
            self.visibleID = visibleID
            self.text = text
        }
    }

    /// Local commands that would change or end the filesystem's shared session.
    static let sessionCommands: Set<String> = ["select", "unselect", "basepath", "exit", "close", "..", "term-all"]

    private var nextID: UInt64 = 1

    package init() {}

    /// Allocates an internal id.
    package mutating func allocateID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Translates one frame written to the port of `target`.
    package mutating func translate(_ frame: Frame, for target: PortTarget) -> Outcome {
        switch frame {
        case .lineTooLong, .bodyTooLarge:
            return .refused(Refusal(kind: .tooLong, visibleID: 0, text: Wire.lineTooLong))
        case .body:
            return .refused(Refusal(kind: .invalid, visibleID: 0, text: Wire.protocolMismatch))
        case .line, .multiline:
            switch Message(frame: frame) {
            case .empty, .terminate:
                return .ignored
            case .reply(let reply):
                return .refused(Refusal(kind: .invalid, visibleID: reply.id, text: "replies cannot be written"))
            case .invalid(let error):
                return .refused(Refusal(kind: .invalid, visibleID: error.id, text: error.text))
            case .command(let command):
                return translate(command, for: target)
            }
        }
    }

    private mutating func translate(_ command: Command, for target: PortTarget) -> Outcome {
        let name = String(decoding: command.path, as: UTF8.self)
        if target == .cube && (Self.sessionCommands.contains(name) || name.hasPrefix("..")) {
            return .refused(Refusal(kind: .invalid, visibleID: command.id,
                                    text: "'\(name)' is not available through the filesystem"))
        }
        let internalID = allocateID()
        let visibleID = command.id != 0 ? command.id : internalID
        var typed = command
        typed.id = internalID
        typed.path = target.prefix.map { $0 + [UInt8(ascii: ".")] + command.path } ?? command.path
        return .command(Translated(command: typed, visibleID: visibleID))
    }
}
