import CubeCore

extension Zenka {
    /// Sends a command through the cube, exactly as a session writes `(<id>)<path> <args>`,
    /// and waits for its final reply (`TRUE`, `FALSE`, `SIZE`, `GET` or `TERM`).
    ///
    /// - Parameters:
    ///   - path: the command path, e.g. `calc.eval`, or a cube command such as `offer`.
    ///   - args: the arguments; empty sends none.
    ///   - headers: header lines of a multi-line command (only with `body`).
    ///   - body: if given, the command is sent as a multi-line command (`<path>+`, headers, an
    ///     empty line, the body split at LF and dot-stuffed, `.`); `args` must then be empty, since
    ///     a multi-line header line carries no arguments.
    ///   - onInterim: called in order with every `WAIT` and `STRM` reply before the final one;
    ///     keep it short, it runs on the zenka's message loop.
    /// - Returns: the final reply (CubeCore's ``Reply``, the one reply type of the router, `p7` and
    ///   the SDK: `id`, `keyword`, `text` exactly as sent, and `body` for `SIZE`); a `FALSE` is
    ///   returned, not thrown.
    /// - Throws: ``ZenkaError/notConnected``, ``ZenkaError/disconnected`` if the connection ends
    ///   first, ``ZenkaError/invalidArgument(_:)``, or `CancellationError` when the task is cancelled.
    public func send(_ path: String, args: String = "", headers: [Call.Header] = [], body: [UInt8]? = nil,
                     onInterim: (@Sendable (Reply) -> Void)? = nil) async throws -> Reply {
        guard !path.isEmpty, !path.contains(where: { $0 == " " || $0.isNewline }) else {
            throw ZenkaError.invalidArgument("bad command path '\(path)'")
        }
        guard !args.contains(where: \.isNewline) else { throw ZenkaError.invalidArgument("line feed in arguments") }
        guard body == nil || args.isEmpty else { throw ZenkaError.invalidArgument("a multi-line command takes no arguments") }
        let headerText = headers.flatMap { [$0.key, $0.value] }
        guard !headerText.contains(where: { $0.contains(where: \.isNewline) }) else {
            throw ZenkaError.invalidArgument("line feed in a header")
        }
        let id = state.withLock { $0.allocateID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                register(id: id, path: path, args: args, headers: headers, body: body, onInterim: onInterim, continuation: continuation)
            }
        } onCancel: {
            self.fail(id: id, with: CancellationError())
        }
    }

    private func register(id: UInt64, path: String, args: String, headers: [Call.Header], body: [UInt8]?,
                          onInterim: (@Sendable (Reply) -> Void)?,
                          continuation: CheckedContinuation<Reply, any Error>) {
        let link = state.withLock { state -> Link? in
            guard let link = state.link else { return nil }
            state.pending[id] = .init(continuation: continuation, onInterim: onInterim)
            return link
        }
        guard let link else { return continuation.resume(throwing: ZenkaError.notConnected) }
        let pathBytes = Array(path.utf8)
        let argBytes = args.isEmpty ? nil : Array(args.utf8)
        let bytes: [UInt8]
        if let body {
            var lines = body.split(separator: Wire.lf, omittingEmptySubsequences: false).map(Array.init)
            if body.last == Wire.lf { lines.removeLast() }
            let pairs = headers.map { (key: Array($0.key.utf8), value: Array($0.value.utf8)) }
            bytes = Render.multilineCommand(id: id, path: pathBytes, Multiline(headers: pairs, body: lines))
        } else {
            bytes = Render.command(id: id, path: pathBytes, args: argBytes)
        }
        do {
            try link.write(bytes)
        } catch {
            fail(id: id, with: error)
        }
    }

    /// Resumes the send waiting for `id` (if still waiting) with `error`.
    private func fail(id: UInt64, with error: any Error) {
        let entry = state.withLock { $0.pending.removeValue(forKey: id) }
        entry?.continuation.resume(throwing: error)
    }
}
