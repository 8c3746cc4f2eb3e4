/// Where a large read is cut in two, so that the output of its first half can leave before
/// the second half is routed (docs/performance.md "Breaking the depth-64 lockstep").
///
/// A pipelined client's burst travels as one batch: requester, cube, responder, cube,
/// requester, each process idle while another works. Cut in the middle, a burst becomes two
/// half-batches that travel out of phase, and the cube finds the other half's bytes waiting
/// when it finishes one. Halves below ``minimum`` bytes are not cut again, so the batches stay
/// two and large (a cut at every few frames broke them into many small ones, each a wake-up).
enum ReadSplit {
    /// Reads shorter than this are routed whole.
    static let minimum = 1024
    /// At most this many lines before the cut, well below the router's turn budget (256
    /// messages, `Hub.turnBudget`), so that routing the first half never ends the session's
    /// turn with the second half still to come.
    static let maximumLines = 128

    /// The length of the first half: up to and including the first LF from the middle byte on
    /// (the last byte of the first half of an even count), or nil when `bytes` is not cut
    /// (short, no LF past the middle, or too many lines).
    static func cut(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= minimum else { return nil }
        var index = (bytes.count - 1) / 2
        while index < bytes.count - 1, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        guard index < bytes.count - 1 else { return nil }
        var lines = 0
        for position in 0...index where bytes[position] == UInt8(ascii: "\n") {
            lines += 1
            if lines > maximumLines { return nil }
        }
        return index + 1
    }
}
