import CubeAuth
import CubeClient
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `c25519` over TCP against a real cube (docs/protocol.md §3.5, issue 6): encryption on the wire,
/// key pinning in p7, and the attacks of the issue's point 5.
@Suite(.serialized) struct SecurityLiveTests {
    // MARK: - Two processes over TCP, nothing readable on the wire

    @Test func p7AndAZenkaTalkOverTCPAndPinTheNode() throws {
        try talkOverTCP(capturing: false)
    }

    /// The same conversation captured on loopback: only the banner and the handshake are clear.
    @Test(.enabled(if: PacketCapture.tcpdump != nil, "needs tcpdump"))
    func aCaptureOfTheConversationHoldsNoneOfTheText() throws {
        try talkOverTCP(capturing: true)
    }

    /// p7 calls a zenka's command over TCP with `c25519` and pins the node; with `capturing`,
    /// tcpdump records the loopback traffic and none of the conversation may be readable in it.
    private func talkOverTCP(capturing: Bool) throws {
        let fixture = try SecurityCube()
        defer { fixture.stop() }
        var reason = ""
        let capture = capturing ? PacketCapture(port: fixture.port, directory: fixture.keys, reason: &reason) : nil
        if capturing, capture == nil { Issue.record("tcpdump is installed but does not capture: \(reason)") }
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        defer { zenka.stop() }
        #expect(zenka.serverKey == fixture.nodeKey)
        let secret = "attack-at-dawn-\(UInt32.random(in: 0...UInt32.max))"
        let known = fixture.knownNodesPath()
        let run = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath,
                                  "--known-nodes", known, "--pin", "calc.echo", secret])
        let reply = "zenka-says:" + String(secret.reversed())
        #expect(run.status == 0, "p7 failed: \(run.stderr)")
        #expect(run.stdout == reply + "\n")
        #expect(run.stderr.contains("pinned \(fixture.address)"))
        #expect(zenka.received.contains { $0.hasSuffix("echo \(secret)") })
        // The pin was recorded, and a second run uses it without --pin.
        let pinned = try KnownNodes.read(from: known)
        #expect(pinned.key(for: fixture.address) == fixture.nodeKey)
        let again = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath,
                                    "--known-nodes", known, "whoami"])
        #expect(again.status == 0, "second run failed: \(again.stderr)")
        #expect(again.stdout.hasPrefix("remote-alice "))

        guard let capture else { return }
        let bytes = capture.stop()
        // Positive control: the clear parts (banner, handshake) are in the capture.
        #expect(bytes.containsBytes("PROTOCOL-7-VERSION"), "the capture did not record the connection")
        #expect(bytes.containsBytes("select c25519"))
        for text in [secret, String(secret.reversed()), "calc.echo", "zenka-says", "echo \(secret)", "whoami",
                     "remote-alice"] {
            #expect(!bytes.containsBytes(text), "'\(text)' is readable in the loopback capture")
        }
    }

    @Test func p7UsesTheDefaultKnownNodesFileUnderHome() throws {
        let fixture = try SecurityCube()
        let run = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--pin", "heart"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "TRUE beating\n" || run.stdout == "beating\n")
        let file = fixture.keys.appendingPathComponent("home/.config/protocol-7/known-nodes").path
        #expect(try KnownNodes.read(from: file).key(for: fixture.address) == fixture.nodeKey)
        fixture.stop()
    }

    // MARK: - Server key pinning

    @Test func anUnknownNodeIsRefusedWithoutPin() throws {
        let fixture = try SecurityCube()
        let known = fixture.knownNodesPath()
        let run = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath,
                                  "--known-nodes", known, "heart"])
        #expect(run.status == 3)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("not a known node") && run.stderr.contains("--pin"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: known))
        fixture.stop()
    }

    @Test func aChangedServerKeyIsRefusedNamingBothKeys() throws {
        let fixture = try SecurityCube()
        let impostor = IdentityKey.generate().publicKey
        let known = fixture.knownNodesPath()
        var nodes = KnownNodes()
        nodes.pin(node: fixture.address, key: impostor)
        try nodes.write(to: known)
        for pin in [false, true] {
            let run = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath,
                                      "--known-nodes", known] + (pin ? ["--pin"] : []) + ["heart"])
            #expect(run.status == 3)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains("changed"), "\(run.stderr)")
            #expect(run.stderr.contains(impostor.description) && run.stderr.contains(fixture.nodeKey.description),
                    "\(run.stderr)")
        }
        // The file still pins the old key: a changed key is never re-pinned silently.
        #expect(try KnownNodes.read(from: known).key(for: fixture.address) == impostor)
        // The library refuses before signing anything.
        let connection = try P7Connection(address: .tcp(host: "127.0.0.1", port: fixture.port), timeout: .seconds(5))
        #expect(throws: ClientError.serverKeyChanged(expected: impostor, got: fixture.nodeKey)) {
            try connection.loginC25519(identity: fixture.client, expectedServer: impostor)
        }
        #expect(connection.isClosed)
        fixture.stop()
    }

    @Test func p7CommandLineErrors() throws {
        let fixture = try SecurityCube()
        let noKey = try fixture.p7(["--connect", fixture.address, "heart"])
        #expect(noKey.status == 2 && noKey.stderr.contains("--key"))
        let badAddress = try fixture.p7(["--connect", "tcp:nohost", "--key", fixture.clientKeyPath, "heart"])
        #expect(badAddress.status == 2)
        let both = try fixture.p7(["--socket", "/x", "--connect", fixture.address, "--key", fixture.clientKeyPath, "heart"])
        #expect(both.status == 2)
        let missingKey = try fixture.p7(["--connect", fixture.address, "--key", fixture.keys.appendingPathComponent("none").path,
                                         "--pin", "heart"])
        #expect(missingKey.status == 3 && missingKey.stderr.contains("cannot load the key"))
        // A key file readable by others is refused.
        chmod(fixture.clientKeyPath, 0o644)
        let openKey = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--pin", "heart"])
        #expect(openKey.status == 3 && openKey.stderr.contains("0644"), "\(openKey.stderr)")
        chmod(fixture.clientKeyPath, 0o600)
        // Nothing listens on the port any more.
        fixture.stop()
        let refused = try fixture.p7(["--connect", fixture.address, "--key", fixture.clientKeyPath, "--pin", "heart"])
        #expect(refused.status == 3 && refused.stderr.contains("cannot connect"), "\(refused.stderr)")
    }

    @Test func clientAddressParsing() {
        #expect(ClientAddress(parsing: "tcp:127.0.0.1:7070") == .tcp(host: "127.0.0.1", port: 7070))
        #expect(ClientAddress(parsing: "tcp:[::1]:7070") == .tcp(host: "::1", port: 7070))
        #expect(ClientAddress(parsing: "tcp:[::1]:7070")?.description == "tcp:[::1]:7070")
        #expect(ClientAddress(parsing: "unix:/run/p7.sock") == .unix("/run/p7.sock"))
        for bad in ["tcp:host", "tcp::7070", "tcp:host:0", "tcp:host:65536", "tcp:host:x", "tcp:::1:80", "unix:", "host:80",
                    "tcp:a b:80", "tcp:[]:80"] {
            #expect(ClientAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    // MARK: - Client authorization

    @Test func anUnauthorizedClientKeyGetsAuthErrorAndIsClosed() throws {
        let fixture = try SecurityCube()
        let client = try SecureRawClient(port: fixture.port)
        #expect(client.logIn(identity: fixture.stranger) == .refused("AUTH_ERROR `>:|\n"))
        #expect(client.socket.isClosedByPeer(timeout: 3))
        // Through the library and p7 as well.
        let connection = try P7Connection(address: .tcp(host: "127.0.0.1", port: fixture.port), timeout: .seconds(5))
        #expect(throws: ClientError.loginFailed("AUTH_ERROR `>:|")) {
            try connection.loginC25519(identity: fixture.stranger, expectedServer: fixture.nodeKey)
        }
        let run = try fixture.p7(["--connect", fixture.address, "--key", fixture.strangerKeyPath,
                                  "--known-nodes", fixture.knownNodesPath(), "--pin", "heart"])
        #expect(run.status == 3 && run.stderr.contains("AUTH_ERROR"), "\(run.stderr)")
        // Nothing was pinned for a login that failed.
        #expect(!FileManager.default.fileExists(atPath: fixture.knownNodesPath()))
        fixture.stop()
    }

    @Test func tcpOffersOnlyC25519AndRefusesUnixMethods() throws {
        let fixture = try SecurityCube()
        let listing = try RawSocket(tcpPort: fixture.port)
        _ = listing.read(count: 32)
        listing.send("list\n")
        #expect(listing.read(count: 14) == Array("SIZE 7\nc25519\n".utf8))
        for method in ["unix", "pwd", "zenka"] {
            listing.send("select \(method)\n")
            let answer = listing.readLine()
            #expect(answer == "FALSE not available \\ enabled, see 'list' command\n" || answer == ">;| auth methods\n",
                    "select \(method) over TCP: \(answer)")
        }
        // A unix credential pipelined over TCP does not log anyone in.
        let pipelined = try RawSocket(tcpPort: fixture.port)
        _ = pipelined.read(count: 32)
        pipelined.send("select unix\nauth unix-root\n(1)whoami\n")
        var received: [UInt8] = []
        _ = pipelined.isClosedByPeer(timeout: 3, before: &received)
        #expect(!received.containsBytes("AUTH_TRUE") && !received.containsBytes("TRUE unix-root"))
        // The unix socket still offers c25519 next to the others.
        let local = try RawSocket(path: fixture.cube.socketPath)
        _ = local.read(count: 32)
        local.send("list\n")
        #expect(local.read(until: "pwd\n").hasSuffix("c25519\nzenka\nunix\npwd\n"))
        fixture.stop()
    }

    /// Every handshake line may carry the `auth.` prefix (docs/protocol.md §3.5), `rotation`
    /// too: before, `auth.rotation` closed the session as a failed login.
    @Test func theAuthPrefixWorksOnEveryHandshakeLine() throws {
        let fixture = try SecurityCube()
        for line in ["rotation", "auth.rotation"] {
            let socket = try RawSocket(tcpPort: fixture.port)
            _ = socket.read(count: 32)
            socket.send("select c25519\n\(line)\n")
            #expect(socket.read(until: "rotation\n") == "TRUE continue\nFALSE no key rotation\n", "\(line)")
        }
        fixture.stop()
    }

    // MARK: - Replay

    @Test func aReplayedHandshakeIsRefused() throws {
        let fixture = try SecurityCube()
        let original = try SecureRawClient(port: fixture.port)
        #expect(original.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        original.sendSealed("(1)whoami\n")
        #expect(original.readPlain(until: "\n").hasPrefix("(1)TRUE remote-alice "))
        let recorded = original.clearSent
        #expect(recorded.count == 3)  // select, hello, auth
        original.socket.close()

        // Step by step: the server answers the replayed hello with a fresh ephemeral key, so
        // the recorded signature no longer verifies.
        let replay = try RawSocket(tcpPort: fixture.port)
        _ = replay.read(count: 32)
        replay.send(recorded[0])
        #expect(replay.readLine() == "TRUE continue\n")
        replay.send(recorded[1])
        #expect(replay.readLine().hasPrefix("TRUE "))
        replay.send(recorded[2])
        #expect(replay.readLine() == "AUTH_ERROR `>:|\n")
        #expect(replay.isClosedByPeer(timeout: 3))

        // All at once, followed by what would be an encrypted command: still refused.
        let blind = try RawSocket(tcpPort: fixture.port)
        _ = blind.read(count: 32)
        blind.send(recorded.flatMap { $0 } + [UInt8](repeating: 0x41, count: 64))
        var answer: [UInt8] = []
        #expect(blind.isClosedByPeer(timeout: 5, before: &answer))
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("TRUE continue\nTRUE ") && text.hasSuffix("AUTH_ERROR `>:|\n"), "\(text)")
        #expect(!text.contains("AUTH_TRUE"))

        // A second hello on one connection is refused too.
        let twice = try RawSocket(tcpPort: fixture.port)
        _ = twice.read(count: 32)
        twice.send(recorded[0])
        _ = twice.readLine()
        twice.send(recorded[1])
        _ = twice.readLine()
        twice.send(recorded[1])
        let second = twice.readLine()
        #expect(second == ">:[\n" || second == "AUTH_ERROR `>:|\n", "\(second)")
        #expect(twice.isClosedByPeer(timeout: 3))
        fixture.stop()
    }

    // MARK: - Tampering

    @Test func aFlippedCiphertextBitClosesTheSessionAndNothingIsDelivered() throws {
        let fixture = try SecurityCube()
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        // Every position class: the length prefix, the tag byte, the body, the MAC.
        for flip in [2, 4, 10, -1] {
            let client = try SecureRawClient(port: fixture.port)
            #expect(client.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
            client.sendSealed("(1)calc.echo good-\(flip)\n")
            #expect(client.readPlain(until: "\n") == "(1)TRUE zenka-says:\(String("good-\(flip)".reversed()))\n")
            var frame = client.seal("(2)calc.echo tampered-\(flip)\n(3)heart\n")
            let index = flip >= 0 ? flip : frame.count + flip
            frame[index] ^= 0x01
            // A flip in the length prefix makes the frame 256 bytes longer: the cube can only
            // judge it once that many bytes arrived, so more traffic follows.
            client.socket.send(frame + client.seal("(4)heart \(String(repeating: "x", count: 400))\n"))
            var before: [UInt8] = []
            #expect(client.socket.isClosedByPeer(timeout: 5, before: &before), "flip at \(flip): session stayed open")
            #expect(before.isEmpty, "flip at \(flip): the cube answered \(before.count) bytes")
            usleep(200_000)
            #expect(!zenka.received.contains { $0.contains("tampered") }, "flip at \(flip) reached the zenka")
        }
        // The cube keeps serving others.
        let other = try SecureRawClient(port: fixture.port)
        #expect(other.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        other.sendSealed("(9)calc.echo still-here\n")
        #expect(other.readPlain(until: "\n") == "(9)TRUE zenka-says:ereh-llits\n")
        zenka.stop()
        fixture.stop()
    }

    @Test func aValidFrameFollowedByATamperedOneInOneWriteDeliversNothingOfTheTamperedOne() throws {
        let fixture = try SecurityCube()
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        let client = try SecureRawClient(port: fixture.port)
        #expect(client.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        var second = client.seal("(2)calc.echo tampered\n")
        second[second.count / 2] ^= 0x80
        client.socket.send(client.seal("(1)heart\n") + second)
        #expect(client.socket.isClosedByPeer(timeout: 5))
        usleep(200_000)
        #expect(!zenka.received.contains { $0.contains("tampered") })
        zenka.stop()
        fixture.stop()
    }

    @Test func aTruncatedFrameDeliversNothingAndTheCubeKeepsServing() throws {
        let fixture = try SecurityCube()
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        let client = try SecureRawClient(port: fixture.port)
        #expect(client.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        let frame = client.seal("(4)calc.echo truncated\n")
        client.socket.send(Array(frame[..<(frame.count / 2)]))
        // Silence: nothing is delivered, and the session is not answered with garbage.
        var before: [UInt8] = []
        let closed = client.socket.isClosedByPeer(timeout: 1.5, before: &before)
        #expect(before.isEmpty)
        #expect(!zenka.received.contains { $0.contains("truncated") })
        // Others are served meanwhile.
        let other = try SecureRawClient(port: fixture.port)
        #expect(other.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        other.sendSealed("(5)calc.echo other\n")
        #expect(other.readPlain(until: "\n") == "(5)TRUE zenka-says:rehto\n")
        if !closed {
            // Still open: the rest of the frame completes the command, exactly once.
            client.socket.send(Array(frame[(frame.count / 2)...]))
            #expect(client.readPlain(until: "\n") == "(4)TRUE zenka-says:detacnurt\n")
        }
        // A length prefix cut in half, then the client goes away: the cube drops it cleanly.
        let quitter = try SecureRawClient(port: fixture.port)
        #expect(quitter.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        quitter.socket.send(Array(quitter.seal("(6)calc.echo quitter\n")[..<2]))
        usleep(100_000)
        quitter.socket.close()
        usleep(200_000)
        #expect(!zenka.received.contains { $0.contains("quitter") })
        other.sendSealed("(7)heart\n")
        #expect(other.readPlain(until: "\n") == "(7)TRUE beating\n")
        zenka.stop()
        fixture.stop()
    }

    @Test func clearBytesBehindTheAuthLineAreNotExecuted() throws {
        let fixture = try SecurityCube()
        let client = try SecureRawClient(port: fixture.port)
        // The cube refuses a login with bytes behind `auth` (they arrived in clear), so the
        // injected line never runs.
        #expect(client.logIn(identity: fixture.client, afterAuth: Array("(5)whoami\n".utf8))
                != .authenticated(server: fixture.nodeKey))
        let text = client.readPlain(until: "\n", timeout: 2)
        #expect(!text.contains("(5)TRUE remote-alice"), "a clear line injected behind the auth line ran as the user: \(text)")
        #expect(client.socket.isClosedByPeer(timeout: 2))
        fixture.stop()
    }

    @Test func anOversizedFrameLengthClosesTheSession() throws {
        let fixture = try SecurityCube()
        let client = try SecureRawClient(port: fixture.port)
        #expect(client.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        client.socket.send([0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 1024))
        #expect(client.socket.isClosedByPeer(timeout: 5))
        fixture.stop()
    }

    // MARK: - Rate limit

    @Test func aThousandFailedUnixLoginsAreRateLimitedAndOthersAreServed() throws {
        let limit = 5
        let fixture = try SecurityCube(extraConfiguration: "limits.login-failures = \(limit)")
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        // A session of the same uid opened before the storm keeps working.
        let early = try RawSocket(path: fixture.cube.socketPath)
        #expect(early.loginUnix())
        var refused = 0
        var throttled = 0
        var other: [String] = []
        for _ in 0..<1000 {
            let attacker = try RawSocket(path: fixture.cube.socketPath)
            attacker.send("select unix\nauth nobody\n")
            let text = String(decoding: attacker.read(count: 1 << 16, timeout: 5), as: UTF8.self)
            if text.contains("AUTH_ERROR") {
                refused += 1
            } else if text.contains(">:| too many failed logins, try later") {
                throttled += 1
            } else {
                other.append(text)
            }
        }
        #expect(refused == limit)
        #expect(throttled == 1000 - limit)
        #expect(other.isEmpty, "\(other.prefix(3))")
        // Another origin (TCP) is served, and so is the session opened before.
        let remote = try SecureRawClient(port: fixture.port)
        #expect(remote.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        remote.sendSealed("(1)calc.echo abc\n")
        #expect(remote.readPlain(until: "\n") == "(1)TRUE zenka-says:cba\n")
        early.send("(2)heart\n")
        #expect(early.read(until: "\n") == "(2)TRUE beating\n")
        // A correct login from the throttled uid is refused too while the limit holds.
        let honest = try RawSocket(path: fixture.cube.socketPath)
        #expect(!honest.loginUnix())
        zenka.stop()
        fixture.stop()
    }

    @Test func aThousandFailedTCPLoginsAreRateLimitedAndOthersAreServed() throws {
        let limit = 5
        let fixture = try SecurityCube(extraConfiguration: "limits.login-failures = \(limit)")
        let early = try SecureRawClient(port: fixture.port)
        #expect(early.logIn(identity: fixture.client) == .authenticated(server: fixture.nodeKey))
        var refused = 0
        var throttled = 0
        var other: [String] = []
        for _ in 0..<1000 {
            let attacker = try RawSocket(tcpPort: fixture.port)
            var text = attacker.readLine()
            if text.hasPrefix("\\\\PROTOCOL-7-VERSION") {
                var handshake = ClientHandshake(identity: fixture.stranger, banner: Array(text.utf8),
                                                ephemeral: .generate(), expectedServer: nil)
                attacker.send(Array("select c25519\n".utf8) + handshake.helloLine())
                text = attacker.readLine()
                if text == "TRUE continue\n" {
                    let serverLine = attacker.readLine()
                    if case .send(let auth) = handshake.receive(line: Array(serverLine.utf8)) { attacker.send(auth) }
                    text = attacker.readLine()
                }
            }
            if text.contains("AUTH_ERROR") {
                refused += 1
            } else if text.contains(">:| too many failed logins, try later") {
                throttled += 1
            } else {
                other.append(text)
            }
        }
        #expect(refused == limit)
        #expect(throttled == 1000 - limit)
        #expect(other.isEmpty, "\(other.prefix(3))")
        // The unix socket serves, and the TCP session opened before the storm keeps working.
        let local = try RawSocket(path: fixture.cube.socketPath)
        #expect(local.loginUnix())
        local.send("(1)heart\n")
        #expect(local.read(until: "\n") == "(1)TRUE beating\n")
        early.sendSealed("(2)whoami\n")
        #expect(early.readPlain(until: "\n").hasPrefix("(2)TRUE remote-alice "))
        fixture.stop()
    }

    // MARK: - Key generation

    @Test func keygenWritesAPrivateKeyAndRefusesToOverwrite() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-keygen-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("node.key").path
        let first = try ExecutableRun.run(Binaries.cube, ["keygen", "--out", path])
        #expect(first.status == 0, "\(first.stderr)")
        let printed = first.stdout.trimmingCharacters(in: .newlines)
        #expect(printed.count == 52 && PublicKey(base32: printed) != nil, "\(first.stdout)")
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try IdentityKey.read(from: path).publicKey.description == printed)
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let second = try ExecutableRun.run(Binaries.cube, ["keygen", "--out", path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("exists"), "\(second.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
    }
}
