import CubeCore

/// The server side of the `c25519` handshake (docs/protocol.md §3.5) as a pure state machine.
///
/// Create it once the client has selected the method (`select c25519` answered with
/// `TRUE continue`) and feed it every following line until it reports success or failure:
///
/// ```
/// C: hello <C> <Ce>            → .send("TRUE <S> <Se> <server-sig>\n")
/// C: auth <client-sig>         → .authenticated(client: C, keys:)
/// ```
///
/// On `.authenticated` the caller checks that the client key is authorized (authorized-keys
/// file or a ``KeyCertificate``), sends `AUTH_TRUE =)⏎` and switches both directions to
/// ``SecretStreamSender`` / ``SecretStreamReceiver`` with ``SessionKeys/tx`` / ``SessionKeys/rx``.
/// On `.failed` it sends ``HandshakeFailure/serverReply`` and closes.
///
/// ## What is hashed and signed (identical on client and server)
///
/// Exactly these bytes, in this order, each line ending in one LF:
///
/// ```
/// T0 = banner ‖ "select c25519\n" ‖ "TRUE continue\n" ‖ "hello <C> <Ce>\n"
/// server-sig = Ed25519_S( BLAKE2b-256( T0 ‖ "TRUE <S> <Se>" ) )
/// T1 = T0 ‖ "TRUE <S> <Se> <server-sig>\n"
/// client-sig = Ed25519_C( BLAKE2b-256( T1 ‖ "auth" ) )
/// ```
///
/// `C`, `S` are the base32 Ed25519 identities, `Ce`, `Se` the base32 X25519 ephemeral keys,
/// signatures are base32 (103 characters). Each signature covers the transcript so far plus its
/// own line up to, not including, the space before the signature, so the two can never be
/// swapped, and both ephemeral keys are bound to both identities. `banner` is the 32-byte
/// version line: one trailing LF (or CR LF) is removed and one LF added, so it may be passed
/// with or without its terminator. Lines count in canonical form: a client that sent
/// `auth.select c25519\r\n` or `auth.hello …\r\n` is hashed as `select c25519\n` / `hello …\n`.
/// Session keys are `crypto_kx_server_session_keys(Se, Ce)` (client: `…_client_…`).
package struct ServerHandshake: Sendable {
    /// The result of feeding one line.
    package enum Step: Sendable {
        /// Send these bytes (the `TRUE …` line, with its LF) and wait for the next line.
        case send([UInt8])
        /// The client proved its identity; the handshake is over.
        case authenticated(client: PublicKey, keys: SessionKeys)
        /// The handshake failed; close the connection. Later input keeps failing.
        case failed(HandshakeFailure)
    }

    /// Where the handshake is.
    private enum State: Sendable {
        case awaitingHello
        case awaitingAuth(client: PublicKey, keys: SessionKeys)
        case finished
    }

    /// This node's identity.
    private let identity: IdentityKey
    /// This handshake's ephemeral key pair (use each for one handshake only).
    private let ephemeral: X25519KeyPair
    /// The hashed transcript.
    private var transcript: HandshakeTranscript
    /// Where the handshake is.
    private var state = State.awaitingHello

    /// Creates the server side.
    /// - Parameters:
    ///   - identity: the node's identity key.
    ///   - banner: the 32-byte version line this server sent at accept (LF optional).
    ///   - ephemeral: a fresh key pair (``X25519KeyPair/generate()``; tests pass a fixed one).
    package init(identity: IdentityKey, banner: [UInt8], ephemeral: X25519KeyPair) {
        self.identity = identity
        self.ephemeral = ephemeral
        self.transcript = HandshakeTranscript(banner: banner)
    }

    /// Feeds one complete line from the client (its LF, or CR LF, may be included or not).
    /// - Parameter line: the line's bytes.
    /// - Returns: what to do next.
    package mutating func receive(line: [UInt8]) -> Step {
        let parsed: HandshakeLine
        switch HandshakeLine.parse(line) {
        case .success(let line): parsed = line
        case .failure(let failure): return fail(failure)
        }
        switch (state, parsed) {
        case (.awaitingHello, .hello(let client, let clientEphemeral)):
            return hello(client: client, clientEphemeral: clientEphemeral)
        case (.awaitingAuth(let client, let keys), .auth(let signature)):
            let digest = transcript.digest(signing: HandshakeTranscript.authPrefix)
            guard client.verify(signature, of: digest) else { return fail(.badSignature) }
            state = .finished
            return .authenticated(client: client, keys: keys)
        case (.awaitingAuth, .hello):
            return fail(.duplicateHello)
        case (.finished, _):
            return .failed(.finished)
        case (.awaitingHello, _):
            return fail(.unexpectedLine("expected hello"))
        case (.awaitingAuth, _):
            return fail(.unexpectedLine("expected auth"))
        }
    }

    /// Answers a `hello`: derives the session keys, appends and signs the server line.
    private mutating func hello(client: PublicKey, clientEphemeral: [UInt8]) -> Step {
        guard let keys = SessionKeys.server(own: ephemeral, clientPublic: clientEphemeral) else {
            return fail(.invalidEphemeralKey)
        }
        transcript.append(line: HandshakeTranscript.helloLine(identity: client, ephemeral: clientEphemeral))
        let prefix = HandshakeTranscript.serverPrefix(identity: identity.publicKey, ephemeral: ephemeral.publicKey)
        let signature = identity.sign(transcript.digest(signing: prefix))
        let line = prefix + Array(" \(Base32.encode(signature))".utf8)
        transcript.append(line: line)
        state = .awaitingAuth(client: client, keys: keys)
        return .send(line + [UInt8(ascii: "\n")])
    }

    /// Enters the final failed state.
    private mutating func fail(_ failure: HandshakeFailure) -> Step {
        if case .finished = state { return .failed(.finished) }
        state = .finished
        return .failed(failure)
    }
}
