import CubeCore
import Testing

/// Body counts in characters (docs/protocol.md §5): the same rule when counting and when reading.
@Suite struct SizeUnitTests {
    /// `ä€x⏎⏎` as the original's zenka sends it: 5 characters, 8 bytes.
    static let umlautBody: [UInt8] = [0xC3, 0xA4, 0xE2, 0x82, 0xAC, 0x78, 0x0A, 0x0A]

    @Test func countsCharactersAndIllFormedBytes() {
        #expect(SizeUnit.bytes.count(Self.umlautBody) == 8)
        #expect(SizeUnit.characters.count(Self.umlautBody) == 5)
        #expect(SizeUnit.characters.count([0xF0, 0x9F, 0x98, 0x80]) == 1)  // one emoji
        #expect(SizeUnit.characters.count([0xFF, 0x80, 0x00]) == 3)  // never a sequence: one each
        #expect(SizeUnit.characters.count([0xE2, 0x82, 0x41]) == 2)  // a truncated sequence is one unit
        #expect(SizeUnit.characters.count([0xED, 0xA0, 0x80]) == 3)  // a surrogate is ill-formed
        #expect(SizeUnit.characters.count([0xC3]) == 1)  // at the end nothing can complete it
        #expect(SizeUnit.characters.count([]) == 0)
    }

    /// Whatever the chunking, a character-counted body ends where its count says and the next
    /// message is intact.
    @Test(arguments: [1, 2, 3, 5, Int.max])
    func readsACharacterCountedBody(chunk: Int) {
        let stream = Array("(24)SIZE 5\n".utf8) + Self.umlautBody + Array("(13)heart\n".utf8)
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64)
        decoder.sizeUnit = .characters
        var frames: [Frame] = []
        var index = 0
        while index < stream.count {
            let end = index + min(chunk, stream.count - index)
            decoder.append(stream[index..<end])
            index = end
            while let frame = decoder.next() { frames.append(frame) }
        }
        #expect(frames == [.body(header: Array("(24)SIZE 5".utf8), body: Self.umlautBody), .line(Array("(13)heart".utf8))])
    }

    @Test func bytesAfterTheSwitchAreCountedInBytes() {
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64)
        decoder.sizeUnit = .characters
        decoder.append(Array("SIZE 1\n".utf8) + [0xC3, 0xA4] + Array("SIZE 2\n".utf8) + [0xC3, 0xA4])
        #expect(decoder.next() == .body(header: Array("SIZE 1".utf8), body: [0xC3, 0xA4]))
        decoder.sizeUnit = .bytes
        #expect(decoder.next() == .body(header: Array("SIZE 2".utf8), body: [0xC3, 0xA4]))
    }

    @Test func aLeadByteWaitsForTheNextByte() {
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64)
        decoder.sizeUnit = .characters
        decoder.append(Array("SIZE 2\n".utf8) + [0xFF, 0xC3])
        #expect(decoder.next() == nil)
        decoder.append(Array("x\n".utf8))
        #expect(decoder.next() == .body(header: Array("SIZE 2".utf8), body: [0xFF, 0xC3]))
        #expect(decoder.next() == .line(Array("x".utf8)))
    }

    @Test func renderCountsInTheReceiversUnit() {
        #expect(Render.body(id: 24, .size, Self.umlautBody, unit: .characters) == Array("(24)SIZE 0005\n".utf8) + Self.umlautBody)
        #expect(Render.body(id: 24, .size, Self.umlautBody) == Array("(24)SIZE 0008\n".utf8) + Self.umlautBody)
        #expect(Render.body(id: 0, .stream, [0xE2, 0x82, 0xAC], unit: .characters) == Array("STRM 1\n".utf8) + [0xE2, 0x82, 0xAC])
    }

    @Test func commandIDsHaveTwoToFifteenDigits() {
        #expect(CommandID.after(0) == 10)
        #expect(CommandID.after(9) == 10)
        #expect(CommandID.after(10) == 11)
        #expect(CommandID.after(CommandID.last) == 10)
        #expect(String(CommandID.last).count == 15)
    }
}
