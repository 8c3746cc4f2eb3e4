import CubeAuth
import CubeCore
import Foundation
import Testing

/// Certificate, revocation and key rotation parsing fed mutations of the committed corpus
/// (`Tests/CubeAuthTests/Corpus/`, issue 19): nothing traps, only canonical text parses, and
/// only the genuine lines verify. `make fuzz` runs it long (`CUBE_FUZZ_ITERATIONS`, `CUBE_FUZZ_SEED`).
@Suite struct KeyFuzzTests {
    /// Ed25519 through CubeAuth, as the cube checks revocations.
    struct Verifier: AdvertVerifier {
        func verify(_ signature: [UInt8], of bytes: [UInt8], by key: String) -> Bool {
            PublicKey(base32: key)?.verify(signature, of: bytes) ?? false
        }
    }

    /// The lines of a corpus file that are not comments.
    static func corpus(_ name: String) throws -> [String] {
        let url = try #require(Bundle.module.url(forResource: "Corpus/\(name)", withExtension: "txt"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    static let signers: [PublicKey: SignerScope] = [
        TestSupport.identity(1).publicKey: .ownNode,
        TestSupport.identity(4).publicKey: SignerScope(names: ["dev-*"], maximumDays: nil),
    ]

    @Test func theCorpusIsGenuine() throws {
        let certificates = try Self.corpus("certificates")
        let revocations = try Self.corpus("revocations")
        #expect(certificates.count >= 4 && revocations.count >= 3)
        for line in certificates {
            let certificate = try #require(KeyCertificate(text: line), "\(line)")
            #expect(certificate.text == line)
            #expect(certificate.verify(signers: Self.signers, privileged: [], now: -1).success != nil, "\(line)")
        }
        for line in revocations {
            let revocation = try #require(Revocation(text: line), "\(line)")
            #expect(revocation.text == line && revocation.verify(with: Verifier()), "\(line)")
        }
    }

    @Test func theRotationCorpusIsGenuine() throws {
        let rotations = try Self.corpus("rotations")
        #expect(rotations.count >= 3)
        for line in rotations {
            let proof = try #require(NodeKeyRotation(text: line), "\(line)")
            #expect(proof.text == line && proof.problem(with: Verifier(), now: proof.issued) == nil, "\(line)")
            #expect(KeyRotation(text: line)?.text == line)
        }
    }

    /// The `rotation <proof>` handshake line and the `rotations` link record (NodeKeyRotation),
    /// p7's statement (KeyRotation), the state machine that learns proofs and p7's file of
    /// followed rotations, fed mutations: only canonical text parses, the parsers agree but for
    /// keys that are no curve point (which never verify), and nothing but a genuine line is
    /// ever learned.
    @Test func mutatedRotationsParseCanonicallyAndAreNeverLearned() throws {
        var generator = SeededGenerator(seed: 0x2071 &+ FuzzTests.seedOffset)
        let genuine = try Self.corpus("rotations")
        let pool = genuine.map { Array($0.utf8) }
        let proofs = genuine.compactMap { NodeKeyRotation(text: $0) }
        // Every old key of the corpus is some node's trusted key.
        let trusted = Dictionary(uniqueKeysWithValues: proofs.enumerated().map { ("n\($0.offset)", $0.element.old) })
        let now = proofs.map(\.issued).max() ?? 0
        for _ in 0..<FuzzTests.iterations {
            let seed = pool.randomElement(using: &generator) ?? []
            let text = String(decoding: FuzzTests.mutate(seed, &generator, pool: pool), as: UTF8.self)
            _ = try? RetiredNodeKeys(parsing: "tcp:a:1 " + text + "\n# c\n")
            let statement = KeyRotation(text: text)
            guard let parsed = NodeKeyRotation(text: text) else {
                // p7's parser also takes a statement from a key to itself (then refused on use).
                #expect(statement == nil || statement?.old == statement?.new || text.utf8.count > NodeKeyRotation.maximumLineBytes,
                        "only p7's parser took: \(text)")
                continue
            }
            #expect(parsed.text == text, "non-canonical text parsed: \(text)")
            // p7's parser also refuses keys that are no curve point; CubeCore's (no cryptography)
            // takes them, and such a proof never verifies.
            if let statement {
                #expect(statement.text == text, "non-canonical statement parsed: \(text)")
            } else {
                #expect(parsed.problem(with: Verifier(), now: parsed.issued) != nil, "only CubeCore's parser took: \(text)")
            }
            var rotations = NodeKeyRotations()
            if case .learned = rotations.learn(parsed, trusted: trusted, verifier: Verifier(), now: now), !genuine.contains(text) {
                Issue.record("forged rotation learned: \(text)")
            }
            if case .learned = rotations.learn(parsed, trusted: trusted, verifier: Verifier(), now: now, restoring: true),
               !genuine.contains(text) {
                Issue.record("forged rotation restored: \(text)")
            }
        }
    }

    @Test func mutatedCertificatesParseCanonicallyAndNeverVerify() throws {
        var generator = SeededGenerator(seed: 0xCE27 &+ FuzzTests.seedOffset)
        let genuine = try Self.corpus("certificates")
        let pool = genuine.map { Array($0.utf8) }
        for _ in 0..<FuzzTests.iterations {
            let seed = pool.randomElement(using: &generator) ?? []
            let text = String(decoding: FuzzTests.mutate(seed, &generator, pool: pool), as: UTF8.self)
            guard let parsed = KeyCertificate(text: text) else { continue }
            #expect(parsed.text == text, "non-canonical text parsed: \(text)")
            if !genuine.contains(text), case .success = parsed.verify(signers: Self.signers, privileged: [], now: -1) {
                Issue.record("forged certificate accepted: \(text)")
            }
            _ = parsed.id
        }
    }

    @Test func mutatedRevocationsParseCanonicallyAndNeverVerify() throws {
        var generator = SeededGenerator(seed: 0x2E70 &+ FuzzTests.seedOffset)
        let genuine = try Self.corpus("revocations")
        let pool = genuine.map { Array($0.utf8) }
        for _ in 0..<FuzzTests.iterations {
            let seed = pool.randomElement(using: &generator) ?? []
            let bytes = FuzzTests.mutate(seed, &generator, pool: pool)
            let text = String(decoding: bytes, as: UTF8.self)
            // Whole files too: several lines, comments, blank lines.
            _ = RevocationList.parse(text + "\n# c\n\n" + (genuine.randomElement(using: &generator) ?? ""))
            _ = Revocation.target(forArgument: text)
            guard let parsed = Revocation(text: text) else { continue }
            #expect(parsed.text == text, "non-canonical text parsed: \(text)")
            if !genuine.contains(text), parsed.verify(with: Verifier()) {
                Issue.record("forged revocation accepted: \(text)")
            }
        }
    }
}
