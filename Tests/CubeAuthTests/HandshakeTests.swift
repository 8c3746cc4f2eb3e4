import CubeAuth
import CubeCore
import Testing

/// A deterministic client/server pair and helpers to run the handshake.
struct HandshakePair {
    let serverIdentity = TestSupport.identity(1)
    let clientIdentity = TestSupport.identity(2)
    var server: ServerHandshake
    var client: ClientHandshake

    init(serverEphemeral: UInt8 = 10, clientEphemeral: UInt8 = 20, pinned: PublicKey? = nil) {
        server = ServerHandshake(identity: serverIdentity, banner: TestSupport.banner,
                                 ephemeral: TestSupport.ephemeral(serverEphemeral))
        client = ClientHandshake(identity: clientIdentity, banner: TestSupport.banner,
                                 ephemeral: TestSupport.ephemeral(clientEphemeral), expectedServer: pinned)
    }

    /// Feeds the client's hello to the server and returns the server's TRUE line.
    mutating func serverLine() throws -> [UInt8] {
        guard case .send(let line) = server.receive(line: client.helloLine()) else { throw SetupError() }
        return line
    }

    struct SetupError: Error {}
}

@Suite struct HandshakeTests {
    @Test func fullHandshakeGivesMatchingKeys() throws {
        var pair = HandshakePair()
        let hello = pair.client.helloLine()
        #expect(hello.starts(with: Array("hello \(pair.clientIdentity.publicKey) ".utf8)))
        #expect(hello.last == UInt8(ascii: "\n") && hello.count == 6 + 52 + 1 + 52 + 1)
        let serverLine = try pair.serverLine()
        #expect(serverLine.count == 5 + 52 + 1 + 52 + 1 + 103 + 1)
        guard case .send(let authLine) = pair.client.receive(line: serverLine) else {
            Issue.record("client refused the server line")
            return
        }
        #expect(authLine.starts(with: Array("auth ".utf8)) && authLine.count == 5 + 103 + 1)
        guard case .authenticated(let clientKey, let serverKeys) = pair.server.receive(line: authLine) else {
            Issue.record("server refused the auth line")
            return
        }
        #expect(clientKey == pair.clientIdentity.publicKey)
        let verdict = pair.client.receive(line: Array("AUTH_TRUE =)\n".utf8))
        guard case .authenticated(let serverKey, let clientKeys) = verdict else {
            Issue.record("client did not accept AUTH_TRUE")
            return
        }
        #expect(serverKey == pair.serverIdentity.publicKey)
        #expect(clientKeys.tx == serverKeys.rx)
        #expect(clientKeys.rx == serverKeys.tx)
        #expect(clientKeys.tx != clientKeys.rx)
        #expect(clientKeys.tx.count == 32)
        // Anything after the end is refused.
        #expect(isFailure(pair.server.receive(line: authLine), .finished))
    }

    @Test func handshakeIsDeterministicWithInjectedKeysAndToleratesCRLFAndPrefix() throws {
        var first = HandshakePair()
        var second = HandshakePair()
        let line = try first.serverLine()
        // Same hello sent as `auth.hello …\r\n` is hashed in canonical form: same answer.
        let variant = Array("auth.".utf8) + second.client.helloLine().dropLast() + Array("\r\n".utf8)
        guard case .send(let line2) = second.server.receive(line: variant) else {
            Issue.record("prefixed CRLF hello refused")
            return
        }
        #expect(line == line2)
        // A server line without its LF works too.
        guard case .send = first.client.receive(line: Array(line.dropLast())) else {
            Issue.record("line without LF refused")
            return
        }
    }

    @Test func tamperedServerLineIsRefused() throws {
        var pair = HandshakePair()
        var line = try pair.serverLine()
        // Swap one character of the server's ephemeral key for another base32 symbol.
        let index = 5 + 52 + 1 + 10
        line[index] = line[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(isFailure(pair.client.receive(line: line), .badSignature))
        #expect(isFailure(pair.client.receive(line: line), .finished))
    }

    @Test func aDifferentBannerBreaksTheSignature() throws {
        var pair = HandshakePair()
        let otherBanner = Array("\\\\PROTOCOL-7-VERSION\\\\AAAAAAA\\\\\n".utf8)
        pair.client = ClientHandshake(identity: pair.clientIdentity, banner: otherBanner,
                                      ephemeral: TestSupport.ephemeral(20), expectedServer: nil)
        let line = try pair.serverLine()
        #expect(isFailure(pair.client.receive(line: line), .badSignature))
    }

    @Test func wrongPinnedServerKeyIsRefused() throws {
        let pinned = TestSupport.identity(99).publicKey
        var pair = HandshakePair(pinned: pinned)
        let line = try pair.serverLine()
        #expect(isFailure(pair.client.receive(line: line),
                          .serverKeyChanged(expected: pinned, got: pair.serverIdentity.publicKey)))
    }

    @Test func rightPinnedServerKeyIsAccepted() throws {
        var pair = HandshakePair(pinned: TestSupport.identity(1).publicKey)
        let line = try pair.serverLine()
        guard case .send = pair.client.receive(line: line) else {
            Issue.record("pinned key refused")
            return
        }
    }

    @Test func serverLineReplayedFromAnotherConnectionIsRefused() throws {
        // Connection 1 is recorded; connection 2 has a different client ephemeral key.
        var recorded = HandshakePair(serverEphemeral: 10, clientEphemeral: 20)
        let oldLine = try recorded.serverLine()
        var fresh = HandshakePair(serverEphemeral: 11, clientEphemeral: 21)
        #expect(isFailure(fresh.client.receive(line: oldLine), .badSignature))
    }

    @Test func authReplayedFromAnotherConnectionIsRefused() throws {
        // The attacker recorded a complete login by the real client…
        var recorded = HandshakePair(serverEphemeral: 10, clientEphemeral: 20)
        let oldServerLine = try recorded.serverLine()
        guard case .send(let oldAuth) = recorded.client.receive(line: oldServerLine) else {
            Issue.record("setup")
            return
        }
        // …and replays hello and auth against a server with a fresh ephemeral key.
        var server = ServerHandshake(identity: recorded.serverIdentity, banner: TestSupport.banner,
                                     ephemeral: TestSupport.ephemeral(11))
        guard case .send = server.receive(line: recorded.client.helloLine()) else {
            Issue.record("hello refused")
            return
        }
        #expect(isFailure(server.receive(line: oldAuth), .badSignature))
    }

    @Test func duplicateHelloAndWrongOrderAreRefused() throws {
        var pair = HandshakePair()
        _ = try pair.serverLine()
        #expect(isFailure(pair.server.receive(line: pair.client.helloLine()), .duplicateHello))

        var early = HandshakePair()
        let auth = Array("auth \(Base32.encode([UInt8](repeating: 1, count: 64)))\n".utf8)
        #expect(isFailure(early.server.receive(line: auth), .unexpectedLine("expected hello")))

        var client = HandshakePair().client
        #expect(isFailure(client.receive(line: Array("AUTH_TRUE =)\n".utf8)),
                          .unexpectedLine("expected TRUE <key> <key> <signature>")))
    }

    @Test func malformedLinesAreRefusedWithTheShapeReply() {
        let key = TestSupport.identity(2).publicKey.description
        let eph = Base32.encode(TestSupport.ephemeral(20).publicKey)
        let bad = ["", "hello", "hello \(key)", "hello  \(key) \(eph)", "hello \(key) \(eph) x",
                   "hello \(key.lowercased()) \(eph)", "hello \(eph.dropLast()) \(eph)", "HELLO \(key) \(eph)",
                   "hello \(key) \(eph) ", "select c25519"]
        for line in bad {
            var server = HandshakePair().server
            guard case .failed(let failure) = server.receive(line: Array(line.utf8)) else {
                Issue.record("accepted: \(line)")
                continue
            }
            #expect(failure.serverReply == Array(">:[\n".utf8))
        }
    }

    @Test func smallOrderEphemeralKeyIsRefused() {
        var server = HandshakePair().server
        let zero = Base32.encode([UInt8](repeating: 0, count: 32))
        let line = "hello \(TestSupport.identity(2).publicKey) \(zero)\n"
        #expect(isFailure(server.receive(line: Array(line.utf8)), .invalidEphemeralKey))
    }

    @Test func clientReportsServerRefusal() throws {
        var pair = HandshakePair()
        let line = try pair.serverLine()
        guard case .send = pair.client.receive(line: line) else {
            Issue.record("setup")
            return
        }
        #expect(isFailure(pair.client.receive(line: Array("AUTH_ERROR `>:|\n".utf8)), .rejected("AUTH_ERROR")))
        var other = HandshakePair().client
        #expect(isFailure(other.receive(line: Array(">:[\n".utf8)), .rejected(">:[")))
    }

    private func isFailure<Step>(_ step: Step, _ expected: HandshakeFailure) -> Bool {
        switch step {
        case let step as ServerHandshake.Step:
            if case .failed(let failure) = step { return failure == expected }
        case let step as ClientHandshake.Step:
            if case .failed(let failure) = step { return failure == expected }
        default: break
        }
        return false
    }
}

@Suite struct HandshakeKnownAnswerTests {
    /// Pins the wire bytes of a deterministic handshake (Ed25519 signatures are deterministic), so
    /// any change to the transcript definition shows up here and in the protocol notes together.
    @Test func deterministicHandshakeProducesTheRecordedLines() throws {
        var pair = HandshakePair()
        let serverLine = try pair.serverLine()
        guard case .send(let auth) = pair.client.receive(line: serverLine) else {
            Issue.record("handshake failed")
            return
        }
        let digest = KeyDigest.blake2b(pair.client.helloLine() + serverLine + auth)
        #expect(Base32.encode(digest) == "JCRH2AHP36EQMHBUWLZPHXNBBCGH6DVLIMYODBKJK3EKQOLSLSEQ")
    }
}
