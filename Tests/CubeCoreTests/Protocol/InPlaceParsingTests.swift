@testable import CubeCore
import Testing

/// Lines read in place (``BorrowedFrame``, ``MessageView``, slice-reading ``FrameHeader`` and
/// ``CommandPath``) against the parser they replaced (``LegacyLineReader``): random, malformed
/// and very long lines, with odd bytes, each read as a slice at a random offset of a larger
/// buffer (a slice's indices do not start at 0, which is where a port to slices goes wrong).
@Suite struct InPlaceParsingTests {
    /// Bytes the protocol gives a meaning to, and some it does not.
    static let alphabet: [UInt8] = Array("()0123456789azAZTRUEFALSWITMGSZ.[]-_+:=! \t".utf8) + [0x0D, 0x00, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
    static let templates: [String] = [
        "(12)calc.echo x", "calc.echo", "(123)TRUE done", "FALSE", "WAIT", "(9)SIZE 12", "STRM 0", "STRM open 3",
        "!TERM! bye", "(0)heart notime", "  (44)  bench.echo  a  b \t", "..whoami", "name[sub].cmd arg", "1234567.heart",
        "(12)calc.multi+", "(1)calc.x+  \t", "BOGUS x", "(1234567890123456)x", "(12 calc", "heart\theart", "~hop3.n2.x y",
    ]

    /// A random line: a template mutated a few times, or bytes from ``alphabet``.
    static func randomLine(_ random: inout SplitMix64, maximumLength: Int = 40) -> [UInt8] {
        var line: [UInt8]
        if random.next() % 3 == 0 {
            line = (0..<Int(random.next() % UInt64(maximumLength + 1))).map { _ in
                alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
        } else {
            line = Array(templates[Int(random.next() % UInt64(templates.count))].utf8)
            for _ in 0..<Int(random.next() % 4) {
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                let position = Int(random.next() % UInt64(line.count + 1))
                switch random.next() % 3 {
                case 0: line.insert(byte, at: position)
                case 1 where position < line.count: line[position] = byte
                default: if position < line.count { line.remove(at: position) }
                }
            }
        }
        return line.filter { $0 != Wire.lf }
    }

    /// `line` as a slice at a random offset of a larger buffer, between random bytes.
    static func embedded(_ line: [UInt8], _ random: inout SplitMix64) -> ArraySlice<UInt8> {
        let before = (0..<Int(random.next() % 9)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
        let after = (0..<Int(random.next() % 9)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
        let buffer = before + line + after
        return buffer[before.count..<(before.count + line.count)]
    }

    /// Every reading of one line agrees with the old one.
    static func expectSameReading(_ line: [UInt8], _ random: inout SplitMix64) {
        let slice = embedded(line, &random)
        let legacy = LegacyLineReader.parseLine(line)
        #expect(MessageView.parseLine(slice).owned == legacy, "line \(line)")
        #expect(Message.parseLine(line) == legacy, "line \(line)")
        #expect(MessageView.parse(.line(slice)).owned == legacy, "line \(line)")
        #expect(Message(frame: .line(line)) == legacy, "line \(line)")
        #expect(FrameHeader.isMultilineHeader(slice) == LegacyLineReader.isMultilineHeader(line), "line \(line)")
        #expect(FrameHeader.bodyLength(slice) == LegacyLineReader.bodyLength(line), "line \(line)")
        // The head's token range is in the slice's indices: shifted by where the slice starts.
        let shift = slice.startIndex
        let head = Message.head(of: slice).map { $0.map { Message.LineHead(id: $0.id, token: ($0.token.lowerBound - shift)..<($0.token.upperBound - shift), isTerminate: $0.isTerminate) } }
        #expect(head == LegacyLineReader.head(of: line), "line \(line)")
        #expect(Message.head(of: line) == LegacyLineReader.head(of: line), "line \(line)")
        // A command's path parses the same as a slice as it did as an array.
        if case .command(let command) = legacy {
            let slice = embedded(command.path, &random)
            let fromSlice = CommandPath(slice)
            let fromArray = CommandPath(command.path)
            #expect(fromSlice?.target == fromArray?.target, "path \(command.path)")
            #expect(fromSlice?.remainderOffset == fromArray?.remainderOffset, "path \(command.path)")
            #expect(fromSlice.map { Array($0.remainder(of: slice)) } == fromArray.map { Array($0.remainder(of: command.path)) },
                    "path \(command.path)")
            #expect(fromSlice.map { Array($0.targetElement(of: slice)) }
                    == fromArray.map { Array($0.targetElement(of: command.path[...])) })
            // Parsed from a slice at an offset, the parts fit the path copied into an array of its own.
            #expect(fromSlice.map { Array($0.remainder(of: Array(slice))) } == fromArray.map { Array($0.remainder(of: command.path)) })
        }
    }

    @Test(arguments: 0..<4)
    func randomLinesReadAsBefore(seed: UInt64) {
        var random = SplitMix64(seed: 0x5EED_0000 + seed)
        for _ in 0..<3_000 { Self.expectSameReading(Self.randomLine(&random), &random) }
    }

    @Test func everyTemplateAndEveryShortAlphabetLineReadsAsBefore() {
        var random = SplitMix64(seed: 18)
        for template in Self.templates { Self.expectSameReading(Array(template.utf8), &random) }
        for first in Self.alphabet {
            for second in Self.alphabet { Self.expectSameReading([first, second], &random) }
        }
        Self.expectSameReading([], &random)
    }

    @Test func veryLongLinesReadAsBefore() {
        var random = SplitMix64(seed: 0x10_000)
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 20_000)
        Self.expectSameReading(Array("(12)calc.echo ".utf8) + long, &random)
        Self.expectSameReading(Array("(12)".utf8) + long, &random)
        Self.expectSameReading(Array("TRUE ".utf8) + long + Array("  \t".utf8), &random)
        Self.expectSameReading(long + Array(".x+".utf8), &random)
        Self.expectSameReading(Array("SIZE ".utf8) + [UInt8](repeating: UInt8(ascii: "9"), count: 5_000), &random)
        for _ in 0..<20 { Self.expectSameReading(Self.randomLine(&random, maximumLength: 5_000), &random) }
    }

    /// A stream of lines, bodies and multi-line commands in random chunks gives the same frames
    /// through ``FrameDecoder/next()`` and ``FrameDecoder/nextBorrowed()``, and the same as the
    /// lines it was made of.
    @Test(arguments: 0..<4)
    func borrowedFramesEqualOwnedFramesInAnyChunking(seed: UInt64) {
        var random = SplitMix64(seed: 0xF4A3E + seed)
        var stream: [UInt8] = []
        var plainLines: [[UInt8]] = []
        for _ in 0..<400 {
            switch random.next() % 6 {
            case 0:
                stream += Array("(7)SIZE 5\nab\ncd".utf8)
            case 1:
                stream += Array("(8)calc.sum+\nx: 1\n\n..dot\nline\n.\n".utf8)
            default:
                var line = Self.randomLine(&random)
                // Only lines the decoder frames as plain lines are expected back as such.
                let bare = line.last == Wire.cr ? Array(line.dropLast()) : line
                if LegacyLineReader.isMultilineHeader(bare) || LegacyLineReader.bodyLength(bare) != nil { line = [UInt8(ascii: "x")] }
                stream += line
                plainLines.append(line.last == Wire.cr ? Array(line.dropLast()) : line)
                stream.append(Wire.lf)
            }
        }
        var owned = FrameDecoder(mode: .messages, maximumLineLength: 64)
        var borrowed = FrameDecoder(mode: .messages, maximumLineLength: 64)
        var ownedFrames: [Frame] = []
        var borrowedFrames: [Frame] = []
        var index = 0
        while index < stream.count {
            let end = min(stream.count, index + 1 + Int(random.next() % 97))
            owned.append(stream[index..<end])
            borrowed.append(stream[index..<end])
            index = end
            while let frame = owned.next() { ownedFrames.append(frame) }
            while let frame = borrowed.nextBorrowed() { borrowedFrames.append(frame.owned) }
        }
        #expect(ownedFrames == borrowedFrames)
        let lines = ownedFrames.compactMap { frame -> [UInt8]? in
            if case .line(let line) = frame { return line }
            return nil
        }
        #expect(lines == plainLines.filter { $0.count <= 64 })
        #expect(owned.bufferedByteCount == 0)
        #expect(borrowed.bufferedByteCount == 0)
    }

    /// A borrowed line is a value: bytes appended and taken afterwards do not change it (the
    /// decoder copies its buffer rather than overwrite a line still held).
    @Test func aBorrowedLineHeldAcrossCallsKeepsItsBytes() {
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64)
        decoder.append(bytes("(1)first.line a\n"))
        guard case .line(let held) = decoder.nextBorrowed() else {
            Issue.record("no line")
            return
        }
        let none = decoder.nextBorrowed()
        #expect(none == nil)
        decoder.append(bytes("(2)second.line b\n"))
        guard case .line(let second) = decoder.nextBorrowed() else {
            Issue.record("no second line")
            return
        }
        #expect(Array(held) == bytes("(1)first.line a"))
        #expect(Array(second) == bytes("(2)second.line b"))
    }

    @Test func viewsRoundTripTheirOwnedForms() {
        let command = Command(id: 12, path: bytes("calc.echo"), args: bytes("x y"))
        #expect(command.view.owned == command)
        #expect(command.view.byteCount == command.byteCount)
        let reply = Reply(id: 3, keyword: .size, text: [], body: bytes("body"))
        #expect(reply.view.owned == reply)
        for message in [Message.empty, .terminate, .command(command), .reply(reply), .invalid(.invalidCommandID)] {
            #expect(MessageView(message).owned == message)
        }
    }
}
