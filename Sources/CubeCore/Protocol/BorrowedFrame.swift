/// A frame as ``FrameDecoder/nextBorrowed()`` cuts it: a plain line still in the decoder's
/// buffer, anything else (multi-line commands, bodies, refusals) as an owned ``Frame``.
///
/// The router parses every line a logged-in session sends; taking each out of the buffer
/// as its own array cost an allocation and a copy per line (docs/performance.md "Router CPU
/// per pipelined request"). A borrowed line shares the buffer's storage and must not outlive
/// the router's handling of it: whatever a route, a queue or an event keeps is copied out
/// (``CommandView/owned``, ``ReplyView/owned``). ``Frame`` stays the public, owned form.
package enum BorrowedFrame: Sendable {
    /// A single line without its LF (and one CR before it), as a slice of the decoder's buffer.
    case line(ArraySlice<UInt8>)
    /// Any other frame.
    case frame(Frame)

    /// The frame as ``FrameDecoder/next()`` returns it: the line copied into its own array.
    package var owned: Frame {
        switch self {
        case .line(let line): .line(Array(line))
        case .frame(let frame): frame
        }
    }
}
