/// One complete message cut from a byte stream by ``FrameDecoder``.
public enum Frame: Equatable, Sendable {
    /// A single line, without its LF (and without one CR right before it).
    case line([UInt8])
    /// A multi-line command: the `…+` header line, then every following line up to (not including)
    /// the first line holding only `.`. Lines are raw: dot-stuffing is undone by the parser.
    case multiline(header: [UInt8], lines: [[UInt8]])
    /// A `SIZE <n>` or `STRM <n>` line and the `n` bytes that followed it.
    case body(header: [UInt8], body: [UInt8])
    /// A line longer than the limit; its bytes were skipped up to its LF.
    case lineTooLong
    /// A `SIZE`/`STRM` body larger than the limit; its bytes are skipped.
    case bodyTooLarge(header: [UInt8])
}
