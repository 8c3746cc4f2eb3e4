import CubeAuth
import CubeCore
import Foundation
import Testing

/// Property-style fuzzing: random and mutated inputs from a seeded generator must never crash
/// the parsers and must never be accepted where a signature or MAC is required.
@Suite struct FuzzTests {
    /// A short pass in `make test`; `make fuzz` sets `CUBE_FUZZ_ITERATIONS` (and a fresh
    /// `CUBE_FUZZ_SEED`) for a long one.
    static let iterations = Int(ProcessInfo.processInfo.environment["CUBE_FUZZ_ITERATIONS"] ?? "") ?? 2_000
    /// Added to every generator's fixed seed, so a long run explores new inputs yet can be replayed.
    static let seedOffset = UInt64(ProcessInfo.processInfo.environment["CUBE_FUZZ_SEED"] ?? "") ?? 0

    /// Valid seeds to mutate: the lines of a real handshake.
    static func seedLines() throws -> [[UInt8]] {
        var pair = HandshakePair()
        let serverLine = try pair.serverLine()
        guard case .send(let auth) = pair.client.receive(line: serverLine) else { return [] }
        return [pair.client.helloLine(), serverLine, auth, Array("AUTH_TRUE =)\n".utf8), Array(">:[\n".utf8)]
    }

    /// One random mutation: flip, insert, delete, duplicate or splice.
    static func mutate(_ input: [UInt8], _ generator: inout SeededGenerator, pool: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes.insert(contentsOf: bytes[position...].prefix(8), at: position)
            case 4 where !bytes.isEmpty:
                bytes[position] = Array("AZ27 \n=a.".utf8).randomElement(using: &generator) ?? 0
            default:
                if let other = pool.randomElement(using: &generator) {
                    bytes += other.prefix(Int.random(in: 0...other.count, using: &generator))
                }
            }
        }
        return bytes
    }

    /// Whether `line` is the genuine auth line up to what parsing normalises (LF, CR LF, `auth.`).
    static func isGenuine(_ line: [UInt8], _ genuine: [UInt8]) -> Bool {
        var core = line[...]
        if core.last == UInt8(ascii: "\n") { core = core.dropLast() }
        if core.last == UInt8(ascii: "\r") { core = core.dropLast() }
        if core.starts(with: "auth.".utf8) { core = core.dropFirst(5) }
        return core.elementsEqual(genuine.dropLast())
    }

    @Test func serverHandshakeSurvivesRandomAndMutatedLines() throws {
        var generator = SeededGenerator(seed: 0xC255_19 &+ Self.seedOffset)
        let seeds = try Self.seedLines()
        var accepted = 0
        for iteration in 0..<Self.iterations {
            var server = HandshakePair().server
            // Drive it into the second state half of the time.
            if iteration % 2 == 0, case .send = server.receive(line: seeds[0]) {}
            for _ in 0..<3 {
                let line = iteration % 5 == 0
                    ? generator.bytes(Int.random(in: 0..<300, using: &generator))
                    : Self.mutate(seeds.randomElement(using: &generator) ?? [], &generator, pool: seeds)
                if case .authenticated = server.receive(line: line), !Self.isGenuine(line, seeds[2]) {
                    let text = String(decoding: line, as: UTF8.self).debugDescription
                    Issue.record("accepted a mutated auth line: \(text)")
                    accepted += 1
                }
            }
        }
        #expect(accepted == 0)
    }

    /// The client's twin of the server property: it answers (signs) only the genuine server line,
    /// and is authenticated only after answering it, naming the genuine server.
    @Test func clientHandshakeAcceptsNoMutatedServerLine() throws {
        var generator = SeededGenerator(seed: 0xC11E47 &+ Self.seedOffset)
        let seeds = try Self.seedLines()
        let genuine = seeds[1]
        let serverKey = HandshakePair().serverIdentity.publicKey
        var forged = 0
        for iteration in 0..<Self.iterations {
            var client = HandshakePair().client
            // Half the time past the genuine server line, so the verdict state is fuzzed too.
            var answered = false
            if iteration % 2 == 0, case .send = client.receive(line: genuine) { answered = true }
            for _ in 0..<3 {
                let line = iteration % 5 == 0
                    ? generator.bytes(Int.random(in: 0..<300, using: &generator))
                    : Self.mutate(seeds.randomElement(using: &generator) ?? [], &generator, pool: seeds)
                let text = String(decoding: line, as: UTF8.self).debugDescription
                switch client.receive(line: line) {
                case .send:
                    if !Self.isSameLine(line, genuine) {
                        Issue.record("answered a mutated server line: \(text)")
                        forged += 1
                    }
                    answered = true
                case .authenticated(let server, _):
                    if !answered || server != serverKey {
                        Issue.record("authenticated without the genuine server line, after \(text)")
                        forged += 1
                    }
                case .failed:
                    break
                }
            }
        }
        #expect(forged == 0)
    }

    /// Whether `line` is `genuine` up to its line ending (LF, CR LF or none).
    static func isSameLine(_ line: [UInt8], _ genuine: [UInt8]) -> Bool {
        var core = line[...]
        if core.last == UInt8(ascii: "\n") { core = core.dropLast() }
        if core.last == UInt8(ascii: "\r") { core = core.dropLast() }
        return core.elementsEqual(genuine.dropLast())
    }

    @Test func secretStreamReceiverSurvivesRandomAndMutatedInput() {
        var generator = SeededGenerator(seed: 0x5EC2E7 &+ Self.seedOffset)
        let key = SecretStreamTests.key
        let messages = [Array("one\n".utf8), generator.bytes(200), Array("three\n".utf8)]
        let valid = SecretStreamTests.wire(messages)
        let genuine = messages.flatMap { $0 }
        var forgeries = 0
        for iteration in 0..<Self.iterations {
            let input = iteration % 4 == 0
                ? generator.bytes(Int.random(in: 0..<400, using: &generator))
                : Self.mutate(valid, &generator, pool: [valid])
            var receiver = SecretStreamReceiver(key: key)
            var offset = 0
            var delivered: [UInt8] = []
            while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...64, using: &generator))
                guard let plaintext = try? receiver.receive(input[offset..<end]) else { break }
                delivered += plaintext
                offset = end
            }
            // Whatever got through must be a prefix of the genuine plaintext, never forged bytes.
            if !genuine.starts(with: delivered) { forgeries += 1 }
        }
        #expect(forgeries == 0)
    }

    @Test func base32DecodeSurvivesRandomText() {
        var generator = SeededGenerator(seed: 0xB32 &+ Self.seedOffset)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=a1 ".utf8)
        for iteration in 0..<Self.iterations {
            let count = Int.random(in: 0..<120, using: &generator)
            let bytes = iteration % 2 == 0
                ? generator.bytes(count)
                : (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            if let decoded = Base32.decode(text) {
                #expect(Base32.encode(decoded) == text)  // strictness: only canonical text decodes
            }
        }
    }

    @Test func keyListsAndCertificatesSurviveMutatedText() {
        var generator = SeededGenerator(seed: 0x11575 &+ Self.seedOffset)
        let key = TestSupport.identity(2).publicKey
        let certificate = KeyCertificate.issue(for: key, name: "alice", expires: 10, by: TestSupport.identity(1))
        let seeds = [Array("\(key) alice # c\n".utf8), Array(certificate.text.utf8), Array("node \(key)\n".utf8)]
        for _ in 0..<Self.iterations {
            let seed = seeds.randomElement(using: &generator) ?? []
            let text = String(decoding: Self.mutate(seed, &generator, pool: seeds), as: UTF8.self)
            _ = try? AuthorizedKeys(parsing: text)
            _ = try? KnownNodes(parsing: text)
            if let parsed = KeyCertificate(text: text), parsed != certificate,
               case .success = parsed.verify(trusting: [TestSupport.identity(1).publicKey], now: 0) {
                Issue.record("forged certificate accepted: \(text)")
            }
        }
    }
}
