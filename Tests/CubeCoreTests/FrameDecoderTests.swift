import CubeCore
import Testing

/// Cuts `stream` into chunks of `chunk` bytes, feeds them one by one and collects every frame.
private func decode(
    _ stream: [UInt8], chunk: Int, mode: FrameDecoder.Mode = .messages, line: Int = 64, body: Int = 1024
) -> [Frame] {
    var decoder = FrameDecoder(mode: mode, maximumLineLength: line, maximumBodyLength: body)
    var frames: [Frame] = []
    var index = 0
    repeat {
        let end = index + min(chunk, stream.count - index)
        decoder.append(stream[index..<end])
        index = end
        while let frame = decoder.next() { frames.append(frame) }
    } while index < stream.count
    return frames
}

/// Chunk sizes every framing test runs with (`Int.max`: the whole stream in one write).
private let chunkSizes = [1, 2, 3, 7, Int.max]

@Suite struct FrameDecoderTests {
    @Test(arguments: chunkSizes)
    func splitsLinesAtLF(chunk: Int) {
        #expect(decode(bytes("heart\n(12)whoami x\n\n"), chunk: chunk)
            == [.line(bytes("heart")), .line(bytes("(12)whoami x")), .line([])])
    }

    @Test(arguments: chunkSizes)
    func stripsExactlyOneCRBeforeLF(chunk: Int) {
        #expect(decode(bytes("whoami\r\nx\r\r\n\r\na\rb\n"), chunk: chunk)
            == [.line(bytes("whoami")), .line(bytes("x\r")), .line([]), .line(bytes("a\rb"))])
    }

    @Test func holdsAPartialLineUntilItsLF() {
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64)
        decoder.append(bytes("hea"))
        #expect(decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 3)
        #expect(decoder.isInsideMessage)
        decoder.append(bytes("rt\n"))
        #expect(decoder.next() == .line(bytes("heart")))
        #expect(decoder.next() == nil)
        #expect(!decoder.isInsideMessage)
    }

    @Test(arguments: chunkSizes)
    func collectsAMultiLineCommandUpToTheFirstDotLine(chunk: Int) {
        let stream = bytes("(1)taeki.m+\nk: v\n\nbody\r\n..dot\n.\n(2)heart\n.\n")
        #expect(decode(stream, chunk: chunk) == [
            .multiline(header: bytes("(1)taeki.m+"), lines: [bytes("k: v"), [], bytes("body"), bytes("..dot")]),
            .line(bytes("(2)heart")),
            .line(bytes(".")),
        ])
    }

    @Test(arguments: chunkSizes)
    func recognisesMultiLineHeadersOnlyOfTheRightShape(chunk: Int) {
        // a `+` inside arguments or after an upper-case token is an ordinary line
        #expect(decode(bytes("echo a+\nTRUE+\n(3) whoami+ \t\n.\n"), chunk: chunk) == [
            .line(bytes("echo a+")), .line(bytes("TRUE+")),
            .multiline(header: bytes("(3) whoami+ \t"), lines: []),
        ])
    }

    @Test(arguments: chunkSizes)
    func readsSizeAndStrmBodiesByByteCount(chunk: Int) {
        let stream = bytes("(5) SIZE 0006\nab\ncd\n") + [0xC3, 0xA4] + bytes("heart\n") + bytes("STRM 2\nxyTRUE\n")
        #expect(decode(bytes("SIZE 2\n") + [0xC3, 0xA4] + bytes("heart\n"), chunk: chunk)
            == [.body(header: bytes("SIZE 2"), body: [0xC3, 0xA4]), .line(bytes("heart"))])
        #expect(decode(stream, chunk: chunk) == [
            .body(header: bytes("(5) SIZE 0006"), body: bytes("ab\ncd\n")),
            .line([0xC3, 0xA4] + bytes("heart")),
            .body(header: bytes("STRM 2"), body: bytes("xy")),
            .line(bytes("TRUE")),
        ])
    }

    @Test(arguments: chunkSizes)
    func readsAnEmptyBodyForSizeZero(chunk: Int) {
        #expect(decode(bytes("SIZE 0\nheart\n(4)STRM 0000\n"), chunk: chunk) == [
            .body(header: bytes("SIZE 0"), body: []), .line(bytes("heart")),
            .body(header: bytes("(4)STRM 0000"), body: []),
        ])
    }

    @Test(arguments: chunkSizes)
    func treatsMalformedSizeHeadersAsLines(chunk: Int) {
        #expect(decode(bytes("SIZE\nSIZE x\nSIZE 5 extra\nsize 3\nSIZE 1234567890123\n"), chunk: chunk) == [
            .line(bytes("SIZE")), .line(bytes("SIZE x")), .line(bytes("SIZE 5 extra")),
            .line(bytes("size 3")), .line(bytes("SIZE 1234567890123")),
        ])
    }

    @Test(arguments: chunkSizes)
    func skipsAnOverLongLineUpToItsLF(chunk: Int) {
        let stream = bytes(String(repeating: "x", count: 200) + "\nheart\n")
        #expect(decode(stream, chunk: chunk, line: 64) == [.lineTooLong, .line(bytes("heart"))])
    }

    @Test(arguments: chunkSizes)
    func acceptsALineOfExactlyTheLimit(chunk: Int) {
        let line = String(repeating: "y", count: 64)
        #expect(decode(bytes(line + "\n" + line + "y\nok\n"), chunk: chunk, line: 64)
            == [.line(bytes(line)), .lineTooLong, .line(bytes("ok"))])
    }

    /// A line of exactly the limit sent with CRLF is accepted even when a write ends between
    /// its CR and its LF: the CR does not count against the limit.
    @Test(arguments: chunkSizes)
    func acceptsALineOfExactlyTheLimitEndingInCRLF(chunk: Int) {
        let line = String(repeating: "z", count: 64)
        #expect(decode(bytes(line + "\r\nok\n"), chunk: chunk, line: 64) == [.line(bytes(line)), .line(bytes("ok"))])
    }

    @Test(arguments: chunkSizes)
    func skipsABodyLargerThanTheLimit(chunk: Int) {
        let stream = bytes("(9)SIZE 11\n") + bytes("hello\nworld") + bytes("heart\n")
        #expect(decode(stream, chunk: chunk, body: 10) == [.bodyTooLarge(header: bytes("(9)SIZE 11")), .line(bytes("heart"))])
        #expect(decode(bytes("SIZE 10\n0123456789heart\n"), chunk: chunk, body: 10)
            == [.body(header: bytes("SIZE 10"), body: bytes("0123456789")), .line(bytes("heart"))])
    }

    /// While skipping a refused multi-line command, a line split across writes is judged whole:
    /// a `.` split from its LF still ends the command, and the tail `.` of `abc.` does not.
    @Test(arguments: chunkSizes)
    func skipsAMultiLineCommandLargerThanTheLimit(chunk: Int) {
        let stream = bytes("(2)m+\n\n0123456789\nwhoami\n.\nheart\n")
        #expect(decode(stream, chunk: chunk, body: 12) == [.bodyTooLarge(header: bytes("(2)m+")), .line(bytes("heart"))])
    }

    /// An over-long line inside a multi-line command refuses the whole command (under its
    /// header, so the reply keeps the id) and skips it up to its `.` line.
    @Test(arguments: chunkSizes)
    func skipsAMultiLineCommandWithAnOverLongLine(chunk: Int) {
        let stream = bytes("(2)m+\n\n" + String(repeating: "x", count: 100) + "\n(3)term-all root\n.\nheart\n")
        #expect(decode(stream, chunk: chunk, line: 64) == [.bodyTooLarge(header: bytes("(2)m+")), .line(bytes("heart"))])
    }

    @Test(arguments: chunkSizes)
    func linesOnlyModeIgnoresBodiesAndMultiLineHeaders(chunk: Int) {
        #expect(decode(bytes("SIZE 3\nabc\nm+\n.\n"), chunk: chunk, mode: .linesOnly) == [
            .line(bytes("SIZE 3")), .line(bytes("abc")), .line(bytes("m+")), .line(bytes(".")),
        ])
    }

    @Test func handsOverBytesNotYetFramed() {
        var decoder = FrameDecoder(mode: .linesOnly, maximumLineLength: 16)
        decoder.append(bytes("select unix\nauth x\nSIZE 3\nab"))
        #expect(decoder.next() == .line(bytes("select unix")))
        #expect(decoder.next() == .line(bytes("auth x")))
        #expect(decoder.takeRemainingBytes() == bytes("SIZE 3\nab"))
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.next() == nil)
    }
}
