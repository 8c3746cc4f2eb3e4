import CubeCore
import Foundation
import Testing

/// Property-style fuzzing of the wire-facing core: random and mutated byte streams, in random
/// chunkings, go through the frame decoder, the parser and the router (before and after
/// login). Nothing may trap, every output must be well-formed, and the router must keep
/// serving a well-behaved session afterwards. `make fuzz` runs it long.
@Suite struct RouterFuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["CUBE_FUZZ_ITERATIONS"] ?? "") ?? 1_500
    static let seedOffset = UInt64(ProcessInfo.processInfo.environment["CUBE_FUZZ_SEED"] ?? "") ?? 0

    /// Inputs worth mutating: real protocol traffic, from the committed corpus
    /// (`Tests/CubeCoreTests/Corpus`) and a few built in.
    static let seeds: [[UInt8]] = corpus() + builtInSeeds

    static func corpus() -> [[UInt8]] {
        guard let directory = Bundle.module.url(forResource: "Corpus", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".txt") }.sorted().compactMap {
            FileManager.default.contents(atPath: directory.appendingPathComponent($0).path).map { Array($0) }
        }
    }

    static let builtInSeeds: [[UInt8]] = [
        "select unix\nauth unix-root\n", "list\nselected\nselect zenka\ncalc k\n", "(12)heart\n", "(1)calc.eval 1+2\n",
        "(2)unix-root.upload+\nk: v\nx = y\n\nbody\n..dot\n.\n", "(3)SIZE 0005\nhello", "(4)STRM 3\nabc(4)TRUE done\n",
        "select unix-root\n(5)whoami\n..\n", "(6)offer storage 1GiB a=b\n(7)acquire 1 10 60\n", "!TERM! bye\n",
        "(999999999999999)x\n", "WHOAMI\n", "\r\n\t \n", "(8)term-all nobody\n",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int(random.next() % 5 + 1) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1) << UInt8(random.next() % 8)
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes.insert(contentsOf: bytes[position...].prefix(16), at: position)
            case 4: bytes.insert(contentsOf: Array("\n.+()0123456789 :=SIZE ".utf8).shuffled(using: &random).prefix(3), at: position)
            default: bytes += seeds[Int(random.next() % UInt64(seeds.count))]
            }
        }
        return bytes
    }

    @Test func theCorpusIsPresent() {
        #expect(Self.corpus().count >= 10)
    }

    @Test func frameDecoderNeverLosesBoundsOrTraps() {
        var random = SplitMix64(seed: 0xF7A3E &+ Self.seedOffset)
        for _ in 0..<Self.iterations {
            let input = Self.mutate(Self.seeds[Int(random.next() % UInt64(Self.seeds.count))], &random)
            var decoder = FrameDecoder(mode: random.next() % 2 == 0 ? .messages : .linesOnly, maximumLineLength: 64,
                                       maximumBodyLength: 128)
            var offset = 0
            while offset < input.count {
                let size = Int(random.next() % 9) + 1
                decoder.append(input[offset..<min(input.count, offset + size)])
                offset += size
                while let frame = decoder.next() {
                    switch frame {
                    case .line(let line): #expect(line.count <= 64 && !line.contains(0x0A))
                    case .body(_, let body): #expect(body.count <= 128)
                    case .multiline(_, let lines): #expect(lines.allSatisfy { !$0.contains(0x0A) })
                    case .lineTooLong, .bodyTooLarge: break
                    }
                    _ = Message(frame: frame)
                }
                // Buffered input stays bounded by one line (plus what a refused message skips).
                #expect(decoder.bufferedByteCount <= 64 + 1 + 9)
            }
        }
    }

    @Test func routerSurvivesHostileSessionsAndKeepsServing() throws {
        // No login throttling here: every hostile session should reach the command parser.
        let entries = try ConfigFile.parse(transcriptBaseConfiguration + "\nlimits.login-failures = 1000000", file: "fuzz")
        var router = Router(configuration: try CubeConfiguration.load(entries, owner: "root"), hasher: IdentityHasher(),
                            seed: 1, now: Timestamp(monotonic: 1_000_000_000, wall: 0))
        var random = SplitMix64(seed: 0xC0BE &+ Self.seedOffset)
        var now = Timestamp(monotonic: 2_000_000_000, wall: 1)
        let root = PeerIdentity(uid: 0, gid: 0, pid: 1, userName: "root")
        // A well-behaved session that must still be answered at the end.
        let (good, _) = router.connected(transport: .unix, peer: root, now: now)
        _ = router.received(Array("select unix\nauth unix-root\n".utf8), from: good, now: now)
        for iteration in 0..<Self.iterations {
            let (hostile, _) = router.connected(transport: iteration % 3 == 0 ? .tcp : .unix, peer: root, now: now)
            if random.next() % 2 == 0 { _ = router.received(Array("select unix\nauth unix-root\n".utf8), from: hostile, now: now) }
            let input = Self.mutate(Self.seeds[Int(random.next() % UInt64(Self.seeds.count))], &random)
            for action in router.received(input, from: hostile, now: now) {
                if case .send(let id, let bytes) = action { #expect(!bytes.isEmpty, "empty send to \(id)") }
            }
            now.monotonic += 1_000_000
            _ = router.disconnected(hostile, now: now)
        }
        _ = router.tick(now: now)
        let actions = router.received(Array("(77)heart\n".utf8), from: good, now: now)
        #expect(actions == [.send(good, Array("(77)TRUE beating\n".utf8))])
        #expect(router.sessionCount == 1)
        #expect(router.routeCount == 0)
    }
}
