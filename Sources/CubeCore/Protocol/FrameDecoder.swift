/// Cuts a Protocol-7 byte stream into complete messages (docs/protocol.md §1, §4, §5).
///
/// Pure and incremental: feed any chunking of the stream with ``append(_:)`` and pull
/// frames with ``next()``. Nothing is judged before its LF (or its full body) arrived.
/// Bytes already scanned for LF are never scanned again, and every line and body is
/// bounded, so a hostile peer cannot make the decoder grow without limit.
package struct FrameDecoder: Sendable {
    /// What the decoder recognises beyond plain lines.
    package enum Mode: Sendable {
        /// Only lines (the pre-auth phase): no multi-line commands, no bodies.
        case linesOnly
        /// Lines, multi-line commands and `SIZE`/`STRM` bodies (after login).
        case messages
    }

    private enum State: Sendable {
        case idle
        case skippingLine
        case multiline(header: [UInt8], lines: [[UInt8]], total: Int)
        /// Dropping a refused multi-line command up to its `.` line; `insideLongLine` while the
        /// current (over-long) line has not ended yet, so it cannot be the terminator.
        case skippingMultiline(insideLongLine: Bool)
        /// `remaining` and `skippingBody`'s count are in ``sizeUnit``s.
        case body(header: [UInt8], remaining: Int, collected: [UInt8])
        case skippingBody(remaining: Int)
    }

    package var mode: Mode
    /// Longest accepted line in bytes, without its LF.
    package var maximumLineLength: Int
    /// Largest accepted `SIZE`/`STRM` body, and largest multi-line command.
    package var maximumBodyLength: Int
    /// What `SIZE`/`STRM` counts count (docs/protocol.md §5); may change between frames.
    package var sizeUnit: SizeUnit = .bytes

    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes after `start` already known to hold no LF.
    private var scanned = 0
    private var state: State = .idle

    package init(mode: Mode, maximumLineLength: Int, maximumBodyLength: Int = 16 << 20) {
        self.mode = mode
        self.maximumLineLength = maximumLineLength
        self.maximumBodyLength = maximumBodyLength
    }

    /// Bytes received but not yet returned as part of a frame.
    package var bufferedByteCount: Int { buffer.count - start }

    /// Bytes the decoder holds: buffered input plus the lines or body collected so far of an
    /// unfinished message. What the router charges to the sender's memory share.
    package var heldByteCount: Int {
        switch state {
        case .multiline(let header, _, let total): bufferedByteCount + header.count + total
        case .body(let header, _, let collected): bufferedByteCount + header.count + collected.count
        default: bufferedByteCount
        }
    }

    /// Gives up the message being received because its sender may hold no more memory
    /// (docs/security.md "Resource limits"): what it collected is dropped and the rest of it
    /// will be skipped like an over-long one. Returns the header of a multi-line command or
    /// body (to answer under its id), or nil for a plain partial line.
    package mutating func refuseCurrentMessage() -> [UInt8]? {
        switch state {
        case .multiline(let header, _, _):
            state = .skippingMultiline(insideLongLine: false)
            return header
        case .body(let header, let remaining, _):
            state = .skippingBody(remaining: remaining)
            return header
        case .idle:
            // Only a partial line can be buffered here (complete ones were taken by `next`).
            guard bufferedByteCount > 0 else { return nil }
            consume(bufferedByteCount)
            state = .skippingLine
            return nil
        default:
            return nil
        }
    }

    /// True while the decoder skips the rest of a refused message (over-long, or refused for
    /// memory) up to its end.
    package var isSkipping: Bool {
        switch state {
        case .skippingLine, .skippingMultiline, .skippingBody: true
        default: false
        }
    }

    /// True while the decoder sits inside a message (a partial line, body or multi-line command).
    package var isInsideMessage: Bool {
        if case .idle = state { return bufferedByteCount > 0 }
        return true
    }

    /// Adds received bytes.
    package mutating func append(_ bytes: some Collection<UInt8>) {
        releaseIfDrained()
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Removes and returns every buffered byte not yet part of a frame (used when a
    /// session leaves the pre-auth phase and its pipelined input moves to a new decoder).
    package mutating func takeRemainingBytes() -> [UInt8] {
        let rest = Array(buffer[start...])
        buffer = []
        start = 0
        scanned = 0
        state = .idle
        return rest
    }

    /// Returns the next complete frame, or nil when more bytes are needed.
    package mutating func next() -> Frame? {
        let frame = nextBorrowed()?.owned
        releaseIfDrained()
        return frame
    }

    /// ``next()`` with a plain line left in the buffer (``BorrowedFrame``): the router's
    /// reading, which copies out only what it keeps. The line must be dropped before the
    /// next call to the decoder, or that call copies the buffer.
    package mutating func nextBorrowed() -> BorrowedFrame? {
        releaseIfDrained()
        let frame = cut()
        if case .line = frame {} else { releaseIfDrained() }
        return frame
    }

    /// The next frame, or nil when more bytes are needed.
    private mutating func cut() -> BorrowedFrame? {
        while true {
            switch state {
            case .body(let header, let remaining, var collected):
                let (bytes, units) = available(remaining)
                collected.append(contentsOf: buffer[start..<(start + bytes)])
                consume(bytes)
                if units == remaining {
                    state = .idle
                    return .frame(.body(header: header, body: collected))
                }
                state = .body(header: header, remaining: remaining - units, collected: collected)
                return nil
            case .skippingBody(let remaining):
                let (bytes, units) = available(remaining)
                consume(bytes)
                if units < remaining {
                    state = .skippingBody(remaining: remaining - units)
                    return nil
                }
                state = .idle
            case .skippingLine:
                guard let lf = findLF() else {
                    consume(bufferedByteCount)
                    return nil
                }
                _ = takeLine(through: lf)
                state = .idle
            case .skippingMultiline(let insideLongLine):
                guard let lf = findLF() else {
                    // Keep a partial line: it may still turn out to be the terminator.
                    guard bufferedByteCount > maximumLineLength else { return nil }
                    consume(bufferedByteCount)
                    state = .skippingMultiline(insideLongLine: true)
                    return nil
                }
                let line = takeLine(through: lf)
                state = !insideLongLine && line.elementsEqual([0x2E]) ? .idle : .skippingMultiline(insideLongLine: false)
            case .idle, .multiline:
                guard let lf = findLF() else {
                    // One more byte is allowed when it is the CR of a CRLF whose LF is still to come.
                    let allowance = buffer.last == Wire.cr ? 1 : 0
                    guard bufferedByteCount > maximumLineLength + allowance else { return nil }
                    consume(bufferedByteCount)
                    return .frame(tooLong(lineEnded: false))
                }
                let line = takeLine(through: lf)
                if line.count > maximumLineLength { return .frame(tooLong(lineEnded: true)) }
                if let frame = accept(line) { return frame }
            }
        }
    }

    /// An over-long line: on its own it is skipped to its LF; inside a multi-line command the
    /// whole command is refused and skipped to its terminator, so its body never runs.
    private mutating func tooLong(lineEnded: Bool) -> Frame {
        if case .multiline(let header, _, _) = state {
            state = .skippingMultiline(insideLongLine: !lineEnded)
            return .bodyTooLarge(header: header)
        }
        state = lineEnded ? .idle : .skippingLine
        return .lineTooLong
    }

    /// Feeds one complete line to the state machine; returns a frame when one is finished.
    /// Takes the line owned, so that a plain line goes into its frame as it is: borrowed, it
    /// was copied into the frame and the caller's copy released, a retain and a release of the
    /// buffer per line.
    private mutating func accept(_ line: consuming ArraySlice<UInt8>) -> BorrowedFrame? {
        if case .multiline(let header, var lines, let total) = state {
            if line.elementsEqual([0x2E]) {
                state = .idle
                return .frame(.multiline(header: header, lines: lines))
            }
            let newTotal = total + line.count + 1
            if newTotal > maximumBodyLength {
                state = .skippingMultiline(insideLongLine: false)
                return .frame(.bodyTooLarge(header: header))
            }
            // Drop the state's reference first, so that appending does not copy the lines.
            state = .idle
            lines.append(Array(line))
            state = .multiline(header: header, lines: lines, total: newTotal)
            return nil
        }
        guard mode == .messages else { return .line(line) }
        if FrameHeader.isMultilineHeader(line) {
            state = .multiline(header: Array(line), lines: [], total: 0)
            return nil
        }
        if let length = FrameHeader.bodyLength(line) {
            if length > maximumBodyLength {
                state = .skippingBody(remaining: length)
                return .frame(.bodyTooLarge(header: Array(line)))
            }
            if length == 0 { return .frame(.body(header: Array(line), body: [])) }
            state = .body(header: Array(line), remaining: length, collected: [])
            return nil
        }
        return .line(line)
    }

    /// How many of the buffered bytes make up at most `units` units, and how many units they are.
    /// In characters a sequence whose bytes have not all arrived is left for the next call.
    private func available(_ units: Int) -> (bytes: Int, units: Int) {
        guard sizeUnit == .characters else {
            let take = min(units, bufferedByteCount)
            return (take, take)
        }
        var index = start
        var counted = 0
        while counted < units && index < buffer.count {
            guard let length = SizeUnit.unitLength(buffer, at: index, end: buffer.count) else { break }
            index += length
            counted += 1
        }
        return (index - start, counted)
    }

    private mutating func findLF() -> Int? {
        let from = start + scanned
        if let lf = Bytes.firstLF(in: buffer, from: from) {
            scanned = 0
            return lf
        }
        scanned = buffer.count - start
        return nil
    }

    /// Removes the line ending at `lf` from the buffer and returns it without LF and without
    /// one CR, as a slice of the buffer (no copy).
    private mutating func takeLine(through lf: Int) -> ArraySlice<UInt8> {
        var end = lf
        if end > start && buffer[end - 1] == Wire.cr { end -= 1 }
        let line = buffer[start..<end]
        consume(lf + 1 - start)
        return line
    }

    private mutating func consume(_ count: Int) {
        start += count
        scanned = max(0, scanned - count)
    }

    /// Empties a buffer whose bytes have all been taken. Done on the next call rather than when
    /// the last line is taken, because that line may still be borrowed (``nextBorrowed()``):
    /// emptying it then would copy the buffer. Idle sessions should cost little: only a small
    /// buffer is kept between messages.
    private mutating func releaseIfDrained() {
        guard start > 0, start == buffer.count else { return }
        buffer.removeAll(keepingCapacity: buffer.capacity <= 4096)
        start = 0
        scanned = 0
    }
}
