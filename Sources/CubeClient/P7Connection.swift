import CubeAuth
import CubeCore

/// A blocking client connection to a cube over its unix socket or TCP.
///
/// Not thread-safe and deliberately not `Sendable`: one thread owns a connection and calls all
/// its methods. Every call blocks that thread (no Swift concurrency, no NIO), which keeps
/// one-shot tools such as `p7` fast to start. Do not use it on the Swift concurrency pool
/// while the other end is served by the same pool.
///
/// Incoming bytes are framed by CubeCore's ``FrameDecoder``, so `SIZE`/`STRM` bodies arrive whole.
/// After ``loginC25519(identity:expectedServer:)`` both directions are encrypted
/// (docs/protocol.md §3.5) and every method below works on the protocol bytes inside the frames.
public final class P7Connection {
    /// How long one wait for incoming bytes may last; nil waits forever. It bounds silence,
    /// not the whole operation: a slowly trickling body does not time out.
    public var timeout: Duration?
    /// The banner line the server sent, including its LF.
    public let banner: [UInt8]

    private var socket: StreamSocket
    private var decoder: FrameDecoder
    /// Seals outbound protocol bytes once a `c25519` login switched to encryption.
    private var sealer: SecretStreamSender?
    /// Opens inbound frames once a `c25519` login switched to encryption.
    private var opener: SecretStreamReceiver?
    /// The id of our `size-unit bytes` request while its reply is outstanding.
    private var sizeUnitRequest: UInt64?
    /// Frames that arrived while ``settleSizeUnit()`` waited; ``readFrame()`` returns them first.
    private var stashed: [Frame] = []

    /// Client-side limits: generous, since the cube is trusted far more than its clients, yet
    /// bounded so a broken server cannot make a client grow without limit.
    static let maximumLineLength = 1 << 20
    static let maximumBodyLength = 16 << 20

    /// Connects to the cube at `unixPath` and reads and validates its banner.
    /// - Parameters:
    ///   - unixPath: the unix socket path (see ``SocketPath/resolve(explicit:)``).
    ///   - timeout: the longest wait for incoming bytes, here and in later reads; nil waits forever.
    /// - Throws: ``ClientError/connectFailed(path:errno:)``, ``ClientError/badBanner(_:)``,
    ///   ``ClientError/closedByPeer`` or ``ClientError/timeout``.
    public convenience init(unixPath: String, timeout: Duration?) throws(ClientError) {
        try self.init(address: .unix(unixPath), timeout: timeout)
    }

    /// Connects to the cube at `address` and reads and validates its banner.
    ///
    /// Over TCP the cube offers only `c25519`: log in with ``loginC25519(identity:expectedServer:)``.
    /// - Parameters:
    ///   - address: the unix socket or the TCP address.
    ///   - timeout: the longest wait for incoming bytes, here and in later reads; nil waits forever.
    ///     It does not bound the TCP connect itself (the system's connect timeout does).
    /// - Throws: ``ClientError/connectFailed(path:errno:)``, ``ClientError/addressNotFound(host:detail:)``,
    ///   ``ClientError/badBanner(_:)``, ``ClientError/closedByPeer`` or ``ClientError/timeout``.
    public init(address: ClientAddress, timeout: Duration?) throws(ClientError) {
        var socket = try StreamSocket(connectingTo: address)
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: Self.maximumLineLength,
                                   maximumBodyLength: Self.maximumBodyLength)
        // Until the server agrees to count bytes, count as the original does (docs/protocol.md §5).
        decoder.sizeUnit = .characters
        do {
            let (banner, rest) = try Self.readBanner(from: socket, timeout: timeout)
            decoder.append(rest)
            self.banner = banner
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.decoder = decoder
        self.timeout = timeout
    }

    deinit {
        socket.close()
    }

    /// True once ``close()`` was called.
    public var isClosed: Bool { socket.descriptor < 0 }

    /// True once a `c25519` login switched the connection to encryption.
    public var isEncrypted: Bool { sealer != nil }

    /// What the counts of `SIZE`/`STRM` bodies count on this connection, both ways
    /// (docs/protocol.md §5): characters, as the original counts, until the server agreed to
    /// ``requestByteCounts()``; bytes after a `c25519` login. Render bodies you send with it.
    public var sizeUnit: SizeUnit {
        get { decoder.sizeUnit }
        set { decoder.sizeUnit = newValue }
    }

    /// Asks the server to count bodies in bytes on this connection: sends
    /// `(<id>)size-unit bytes` (docs/protocol.md §5) and returns at once. The reply is taken out
    /// of the stream by the read methods: `TRUE size unit bytes` switches ``sizeUnit`` to bytes;
    /// any other answer (an original cube does not know the command) keeps characters. Servers
    /// answer in order, so every body after the reply is counted in the agreed unit.
    /// - Parameter id: the request's id; choose one your own commands do not use.
    /// - Throws: a send failure.
    public func requestByteCounts(id: UInt64 = CommandID.sizeUnitRequest) throws(ClientError) {
        try sendCommand(id: id, path: "size-unit", args: "bytes")
        sizeUnitRequest = id
    }

    /// Waits for the answer to ``requestByteCounts()``; frames that arrive first are kept for
    /// ``readFrame()``. Use it before you send bodies yourself, so they are counted right.
    /// - Throws: the errors of ``readFrame()``.
    public func settleSizeUnit() throws(ClientError) {
        while sizeUnitRequest != nil {
            guard let frame = decoder.next() else {
                try receive()
                continue
            }
            if !takeSizeUnitAnswer(frame) { stashed.append(frame) }
        }
    }

    /// Closes the connection. Safe to call more than once; later sends and reads fail.
    public func close() {
        socket.close()
    }

    // MARK: - Sending

    /// Writes `bytes` exactly as given, in one `send` loop (small writes arrive as one segment).
    /// On an encrypted connection the bytes are sealed first (one frame per 64 KiB).
    /// - Throws: ``ClientError/closedByPeer`` or ``ClientError/ioFailed(operation:errno:)``.
    public func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        guard !bytes.isEmpty else { return }
        if sealer != nil {
            try socket.writeAll(sealer!.seal(bytes))
        } else {
            try socket.writeAll(bytes)
        }
    }

    /// Sends one line: `line` followed by LF.
    /// - Throws: ``ClientError/invalidArgument(_:)`` if `line` contains LF, or a send failure.
    public func send(_ line: [UInt8]) throws(ClientError) {
        guard !line.contains(Wire.lf) else { throw .invalidArgument("line contains a line feed") }
        try sendRaw(line + [Wire.lf])
    }

    /// Sends one line of text followed by LF.
    /// - Throws: ``ClientError/invalidArgument(_:)`` if `text` contains LF, or a send failure.
    public func send(_ text: String) throws(ClientError) {
        try send(Array(text.utf8))
    }

    /// Sends `[(<id>)]<path>[ <args>]⏎` (docs/protocol.md §4).
    /// - Parameters:
    ///   - id: the command id echoed in the replies; nil sends none.
    ///   - path: the command path, e.g. `heart` or `calc.table`.
    ///   - args: the arguments; nil or empty sends none.
    /// - Throws: ``ClientError/invalidArgument(_:)`` for an empty path or a line feed, or a send failure.
    public func sendCommand(id: UInt64?, path: String, args: String?) throws(ClientError) {
        guard !path.isEmpty else { throw .invalidArgument("empty command path") }
        var line: [UInt8] = []
        if let id { line += Array("(\(id))".utf8) }
        line += Array(path.utf8)
        if let args, !args.isEmpty { line += [Wire.space] + Array(args.utf8) }
        try send(line)
    }

    // MARK: - Receiving

    /// Reads the next complete message as framed by ``FrameDecoder``.
    /// - Throws: ``ClientError/closedByPeer`` at end of file, ``ClientError/timeout``, or an I/O failure.
    public func readFrame() throws(ClientError) -> Frame {
        if !stashed.isEmpty { return stashed.removeFirst() }
        return try nextFrame()
    }

    /// The next frame from the socket, with the answer to a size-unit request taken out.
    private func nextFrame() throws(ClientError) -> Frame {
        while true {
            if let frame = decoder.next() {
                if takeSizeUnitAnswer(frame) { continue }
                return frame
            }
            try receive()
        }
    }

    /// Feeds the decoder with the next bytes from the socket.
    private func receive() throws(ClientError) {
        let bytes = try socket.readSome(timeout: timeout)
        guard !bytes.isEmpty else { throw .closedByPeer }
        decoder.append(try open(bytes))
    }

    /// If `frame` answers our size-unit request, applies it and returns true (it is consumed).
    private func takeSizeUnitAnswer(_ frame: Frame) -> Bool {
        guard let request = sizeUnitRequest, case .line(let line) = frame else { return false }
        guard case .reply(let reply) = Received(parsing: line), reply.id == request, reply.keyword.closesRoute
        else { return false }
        sizeUnitRequest = nil
        let agreed = reply.keyword == .trueReply && reply.text.elementsEqual("size unit bytes".utf8)
        decoder.sizeUnit = agreed ? .bytes : .characters
        return true
    }

    /// Reads the next line, without its LF.
    /// - Throws: ``ClientError/protocolError(_:)`` if the next message is not a single line (it is
    ///   consumed), or the errors of ``readFrame()``.
    public func readLine() throws(ClientError) -> [UInt8] {
        switch try readFrame() {
        case .line(let line): return line
        case .body(let header, _), .multiline(let header, _), .bodyTooLarge(let header):
            throw .protocolError("expected a line, got a message with a body: \(Self.text(header))")
        case .lineTooLong: throw .protocolError("line too long")
        }
    }

    /// Reads and parses the next message (docs/protocol.md §5): a reply, the cube's `!TERM!`,
    /// or any other line (``Received``).
    /// - Throws: ``ClientError/protocolError(_:)`` for an over-long line or body, or a `SIZE`/`STRM`
    ///   line with a malformed count; else the errors of ``readFrame()``.
    public func readReceived() throws(ClientError) -> Received {
        let frame = try readFrame()
        switch frame {
        case .line(let line):
            let received = Received(frame: frame)
            // A `SIZE`/`STRM` line the decoder did not frame with a body has a malformed count,
            // except `STRM open [<n>]` (the original's stream announcement): an interim without body.
            if case .reply(let reply) = received, reply.keyword.hasBody,
               !(reply.keyword == .stream && Wire.isStreamOpen(reply.text)) {
                throw .protocolError("malformed body header: \(Self.text(line))")
            }
            return received
        case .body, .multiline:
            return Received(frame: frame)
        case .lineTooLong:
            throw .protocolError("line longer than \(Self.maximumLineLength) bytes")
        case .bodyTooLarge(let header):
            throw .protocolError("body larger than \(Self.maximumBodyLength) bytes: \(Self.text(header))")
        }
    }

    /// Reads the next message, which must be a reply (for callers that expect nothing else).
    /// - Returns: the reply; a `STRM open` line comes back as an interim `STRM` without body.
    /// - Throws: ``ClientError/protocolError(_:)`` for `!TERM!` (the cube is closing the
    ///   connection) or a line that is no reply, with that line; else the errors of
    ///   ``readReceived()``.
    public func readReply() throws(ClientError) -> Reply {
        switch try readReceived() {
        case .reply(let reply): return reply
        case .terminate(let text): throw .protocolError("connection terminated: \(Self.text(text))")
        case .other(let line, _): throw .protocolError("not a reply: \(Self.text(line))")
        }
    }

    /// Returns whatever bytes arrive next, bypassing framing (for byte-exact tests).
    ///
    /// Bytes already received but not yet returned as a message come first. Calling this in the
    /// middle of a `SIZE` body discards the part of the body already collected.
    /// - Parameter timeout: the longest wait; nil waits forever.
    /// - Returns: the bytes, or an empty array at end of file.
    /// - Throws: ``ClientError/timeout`` or an I/O failure.
    public func readRaw(timeout: Duration?) throws(ClientError) -> [UInt8] {
        stashed = []
        let buffered = decoder.takeRemainingBytes()
        if !buffered.isEmpty { return buffered }
        while true {
            let bytes = try socket.readSome(timeout: timeout)
            // Encrypted: a chunk that completes no frame yields nothing yet; wait for more.
            guard !bytes.isEmpty else { return [] }
            let plain = try open(bytes)
            if !plain.isEmpty || opener == nil { return plain }
        }
    }

    // MARK: - Encryption

    /// Switches both directions to `crypto_secretstream` after `AUTH_TRUE =)` (docs/protocol.md §3.5):
    /// sends our stream header, and feeds the bytes that already arrived behind the `AUTH_TRUE`
    /// line (the start of the server's encrypted stream) through the receiver.
    func startEncryption(_ keys: SessionKeys) throws(ClientError) {
        var transmit = keys.tx
        var receive = keys.rx
        let sender = SecretStreamSender(key: transmit)
        let receiver = SecretStreamReceiver(key: receive)
        for index in transmit.indices { transmit[index] = 0 }
        for index in receive.indices { receive[index] = 0 }
        try socket.writeAll(sender.header)
        sealer = sender
        opener = receiver
        let early = decoder.takeRemainingBytes()
        if !early.isEmpty { decoder.append(try open(early)) }
    }

    /// Decrypts received bytes once encryption is on (else returns them unchanged). A frame
    /// that fails to authenticate closes the connection and nothing of it is returned.
    private func open(_ bytes: [UInt8]) throws(ClientError) -> [UInt8] {
        guard opener != nil else { return bytes }
        do {
            return try opener!.receive(bytes)
        } catch {
            socket.close()
            throw .decryptionFailed(error.description)
        }
    }

    // MARK: - Helpers

    /// Reads up to and including the first LF; it must be the 32-byte banner. Returns it and any
    /// bytes the server already sent after it (they belong to the first messages).
    private static func readBanner(from socket: StreamSocket, timeout: Duration?) throws(ClientError)
        -> (banner: [UInt8], rest: [UInt8])
    {
        var received: [UInt8] = []
        while true {
            if let lf = received.firstIndex(of: Wire.lf) {
                let banner = Array(received[...lf])
                guard Banner.isValid(banner) else { throw .badBanner(banner) }
                return (banner, Array(received[(lf + 1)...]))
            }
            // No LF within a banner's length: whatever it is, it is not a banner.
            guard received.count < Banner.length else { throw .badBanner(received) }
            let bytes = try socket.readSome(timeout: timeout, maximum: 4096)
            guard !bytes.isEmpty else {
                if received.isEmpty { throw .closedByPeer }
                throw .badBanner(received)
            }
            received += bytes
        }
    }

    /// `bytes` as text for error messages.
    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
