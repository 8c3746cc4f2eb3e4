import CubeCore

/// One command sent to the zenka, as its handler sees it.
///
/// `wait` and `stream` write interim replies for this command right away; the handler's
/// return value is the final reply that closes the route.
public struct Call: Sendable {
    /// One `key: value` header line of a multi-line command.
    public struct Header: Sendable, Equatable {
        /// The key, e.g. `content-type`.
        public var key: String
        /// The value, outer blanks trimmed.
        public var value: String

        /// Creates a header line.
        /// - Parameters:
        ///   - key: the key (no blanks, no `:` or `=`).
        ///   - value: the value.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The command id the cube gave this route; echoed in every reply (0 = none).
    public let id: UInt64
    /// The command path as received, e.g. `greet` (a multi-hop path keeps its later elements).
    public let command: String
    /// The arguments as text: everything after the first run of spaces; empty when none.
    public let args: String
    /// The arguments as raw bytes (invalid UTF-8 kept).
    public let argBytes: [UInt8]
    /// The header lines of a multi-line command, in order; empty for a single-line command.
    public let headers: [Header]
    /// The body of a multi-line command, dot-stuffing removed, each line ending in LF;
    /// nil for a single-line command.
    public let body: [UInt8]?

    private let link: Link?

    init(command: Command, link: Link?) {
        id = command.id
        self.command = String(decoding: command.path, as: UTF8.self)
        argBytes = command.args ?? []
        args = String(decoding: argBytes, as: UTF8.self)
        headers = command.multiline?.headers.map {
            Header(key: String(decoding: $0.key, as: UTF8.self), value: String(decoding: $0.value, as: UTF8.self))
        } ?? []
        body = command.multiline.map { multiline in multiline.body.flatMap { $0 + [Wire.lf] } }
        self.link = link
    }

    /// A call not tied to a connection (for testing handlers directly): `wait` and `stream`
    /// are dropped.
    /// - Parameters:
    ///   - command: the command name.
    ///   - args: the arguments.
    ///   - body: a multi-line body, if any.
    public init(command: String, args: String = "", body: [UInt8]? = nil) {
        id = 0
        self.command = command
        self.args = args
        argBytes = Array(args.utf8)
        headers = []
        self.body = body
        link = nil
    }

    /// The value of the first header named `key`, if any.
    public func header(_ key: String) -> String? { headers.first { $0.key == key }?.value }

    /// Sends an interim `WAIT <text>` for this command; the route stays open.
    /// - Parameter text: one line (LF is sent as `\n`).
    /// - Throws: ``ZenkaError/disconnected`` if the connection is gone.
    public func wait(_ text: String) async throws {
        try link?.write(Render.reply(id: id, .wait, text))
    }

    /// Sends one `STRM <n>` chunk for this command; the route stays open.
    /// - Parameter bytes: the chunk (may be empty: a keep-alive).
    /// - Throws: ``ZenkaError/disconnected`` if the connection is gone.
    public func stream(_ bytes: [UInt8]) async throws {
        guard let link else { return }
        try link.write(Render.body(id: id, .stream, bytes, unit: link.sizeUnit))
    }
}
