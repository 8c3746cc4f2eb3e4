import CubeCore
import CubeFS
import CubeFUSE

/// The state of one open file of the mount.
struct OpenFile: Sendable {
    let node: Node
    let uid: UInt32
    /// Line buffer of `cmd`/`ask`: a command may straddle writes.
    var decoder = FrameDecoder(mode: .messages, maximumLineLength: 64 << 10)
    /// The uid of the last write: an unfinished last line is sent as theirs at release, which
    /// carries no requester (descriptors may be passed between processes and users).
    var lastWriter: UInt32?
    /// Bytes of ``decoder``'s unfinished message charged to the writer's memory share
    /// (``Hub/chargeMountInput(_:user:)``).
    var chargedInput = 0
    /// The memory account ``chargedInput`` is charged to (set by the first charge).
    var chargedTo: String?
    /// Why the message being skipped was refused (`EMSGSIZE`, `ENOMEM`): a write of its rest
    /// fails the same way, so a writer that retries a short write still sees the error.
    var skipping: Errno?
    /// Reading position in the port log (`out`, `events`).
    var cursor: PortLog.Cursor?
    /// Content of a text file, fixed at open.
    var text: [UInt8] = []
    /// `ask`: ids of commands written and not yet finally answered.
    var askPending: Set<UInt64> = []
    /// `ask`: replies to this file's commands not read yet, in arrival order. What a read
    /// returns is dropped: an `ask` kept open for many rounds of commands kept every reply
    /// (80 MiB of replies grew the cube by 82 MB).
    var askReplies: [UInt8] = []
    /// `ask`: bytes of ``askReplies`` charged to ``askAccount`` (``NetworkFileSystem/settleHeldReplies(_:)``).
    var askCharged = 0
    /// `ask`: the memory account of the opener, which its unread replies are charged to.
    var askAccount: String?
    /// `ask`: why its unread replies took the opener past the memory share (the `FALSE` text);
    /// while set, writes to it fail with `ENOMEM`, until a read gives some back.
    var askRefusal: String?
    /// `ask`: the number of the last settling of its charge begun: only the newest sets
    /// ``askRefusal``, whichever finishes last (two settling at once left a stale refusal
    /// that nothing cleared once the `ask` was empty; a second reader's finding).
    var askSettling: UInt64 = 0
    var askWrote = false
    /// Reads waiting for data.
    var parked: [ReadRequest] = []
    /// Wakes `poll`/`select` callers when data arrives.
    var pollHandle: PollHandle?
    /// The target is gone for good: readers get end-of-file.
    var ended = false

    init(node: Node, uid: UInt32) {
        self.node = node
        self.uid = uid
    }
}

extension OpenFile {
    /// Appends what was written to `cmd`/`ask` and takes the messages it completed.
    /// - Returns: the messages; `holds`, whether the file now holds more or less of an
    ///   unfinished command than is charged (rare: a write of whole lines leaves nothing); and
    ///   `skipped`, the errno of a message refused before whose rest this write continues (it
    ///   fails as that one did: the kernel may split one write into two requests and report
    ///   only the first).
    mutating func takeWritten(_ bytes: [UInt8]) -> (frames: [Frame], holds: Bool, skipped: Errno?) {
        let skipped = decoder.isSkipping ? skipping ?? .messageTooLong : nil
        decoder.append(bytes)
        var frames: [Frame] = []
        while let frame = decoder.next() {
            // A message refused for its size starts a skip of its own: its rest fails with
            // `EMSGSIZE`, even where the skip of a memory refusal ended earlier in this write.
            switch frame {
            case .lineTooLong, .bodyTooLarge: skipping = .messageTooLong
            default: break
            }
            frames.append(frame)
        }
        if !decoder.isSkipping { skipping = nil }
        return (frames, decoder.heldByteCount != chargedInput, skipped)
    }
}
