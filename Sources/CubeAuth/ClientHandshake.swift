import CubeCore

/// The client side of the `c25519` handshake (docs/protocol.md §3.5) as a pure state machine.
///
/// After `select c25519` was answered `TRUE continue`, send ``helloLine()``, then feed every
/// line the server sends:
///
/// ```
/// S: TRUE <S> <Se> <server-sig>   → .send("auth <client-sig>\n")
/// S: AUTH_TRUE =)                 → .authenticated(server: S, keys:)
/// ```
///
/// Then switch both directions to ``SecretStreamSender`` / ``SecretStreamReceiver`` with
/// ``SessionKeys/tx`` / ``SessionKeys/rx``. The hashed transcript is defined on
/// ``ServerHandshake``; the client's already holds the banner, `select c25519`,
/// `TRUE continue` and the hello line from `init`, so ``helloLine()`` is a pure accessor that
/// may be called any number of times. A refusal (`FALSE …`, ``AUTH_ERROR `>:|``, `>:[`, `>;|`)
/// at any point gives `.failed(.rejected(word))`.
package struct ClientHandshake: Sendable {
    /// The result of feeding one line.
    package enum Step: Sendable {
        /// Send these bytes (the `auth …` line, with its LF) and wait for the verdict.
        case send([UInt8])
        /// The server accepted; the handshake is over.
        case authenticated(server: PublicKey, keys: SessionKeys)
        /// The handshake failed; close the connection. Later input keeps failing.
        case failed(HandshakeFailure)
    }

    /// Where the handshake is.
    private enum State: Sendable {
        case awaitingServer
        case awaitingVerdict(server: PublicKey, keys: SessionKeys)
        case finished
    }

    /// This user's identity.
    private let identity: IdentityKey
    /// This handshake's ephemeral key pair.
    private let ephemeral: X25519KeyPair
    /// The pinned server key, if any.
    private let expectedServer: PublicKey?
    /// The hashed transcript.
    private var transcript: HandshakeTranscript
    /// Where the handshake is.
    private var state = State.awaitingServer

    /// Creates the client side.
    /// - Parameters:
    ///   - identity: the user's (or node's) identity key.
    ///   - banner: the 32-byte version line the server sent (LF optional).
    ///   - ephemeral: a fresh key pair (``X25519KeyPair/generate()``; tests pass a fixed one).
    ///   - expectedServer: the pinned server key from the known-nodes file; nil accepts any
    ///     server key (first use) — the caller then pins ``Step/authenticated(server:keys:)``'s key.
    package init(identity: IdentityKey, banner: [UInt8], ephemeral: X25519KeyPair, expectedServer: PublicKey?) {
        self.identity = identity
        self.ephemeral = ephemeral
        self.expectedServer = expectedServer
        var transcript = HandshakeTranscript(banner: banner)
        transcript.append(
            line: HandshakeTranscript.helloLine(identity: identity.publicKey, ephemeral: ephemeral.publicKey))
        self.transcript = transcript
    }

    /// The line to send first: `hello <C> <Ce>⏎`.
    package func helloLine() -> [UInt8] {
        HandshakeTranscript.helloLine(identity: identity.publicKey, ephemeral: ephemeral.publicKey)
            + [UInt8(ascii: "\n")]
    }

    /// Feeds one complete line from the server (its LF, or CR LF, may be included or not).
    /// - Parameter line: the line's bytes.
    /// - Returns: what to do next.
    package mutating func receive(line: [UInt8]) -> Step {
        let parsed: HandshakeLine
        switch HandshakeLine.parse(line) {
        case .success(let line): parsed = line
        case .failure(let failure): return fail(failure)
        }
        switch (state, parsed) {
        case (.finished, _):
            return .failed(.finished)
        case (_, .refusal(let word)):
            return fail(.rejected(word))
        case (.awaitingServer, .serverHello(let server, let serverEphemeral, let signature)):
            return serverHello(server: server, serverEphemeral: serverEphemeral, signature: signature)
        case (.awaitingVerdict(let server, let keys), .authTrue):
            state = .finished
            return .authenticated(server: server, keys: keys)
        case (.awaitingServer, _):
            return fail(.unexpectedLine("expected TRUE <key> <key> <signature>"))
        case (.awaitingVerdict, _):
            return fail(.unexpectedLine("expected AUTH_TRUE"))
        }
    }

    /// Checks the server line (pin, signature, ephemeral key) and answers with `auth`.
    private mutating func serverHello(server: PublicKey, serverEphemeral: [UInt8], signature: [UInt8]) -> Step {
        if let expectedServer, expectedServer != server {
            return fail(.serverKeyChanged(expected: expectedServer, got: server))
        }
        let prefix = HandshakeTranscript.serverPrefix(identity: server, ephemeral: serverEphemeral)
        guard server.verify(signature, of: transcript.digest(signing: prefix)) else { return fail(.badSignature) }
        guard let keys = SessionKeys.client(own: ephemeral, serverPublic: serverEphemeral) else {
            return fail(.invalidEphemeralKey)
        }
        transcript.append(line: prefix + Array(" \(Base32.encode(signature))".utf8))
        let ownSignature = identity.sign(transcript.digest(signing: HandshakeTranscript.authPrefix))
        state = .awaitingVerdict(server: server, keys: keys)
        return .send(HandshakeTranscript.authPrefix + Array(" \(Base32.encode(ownSignature))\n".utf8))
    }

    /// Enters the final failed state.
    private mutating func fail(_ failure: HandshakeFailure) -> Step {
        if case .finished = state { return .failed(.finished) }
        state = .finished
        return .failed(failure)
    }
}
