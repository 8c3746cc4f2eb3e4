/// A session that asked to see routed traffic: `watch <pattern>` (docs/protocol.md §8.4).
/// Every command routed through this cube whose path matches the pattern, and every reply on
/// such a route, is copied to the watcher as one line in a `STRM` chunk under the id of its
/// `watch` command.
///
/// A watcher is a slow reader like any other, with fixed bounds: at most
/// ``maximumWatchers`` per cube, at most ``linesPerSecond`` lines per watcher and second (lines
/// beyond are dropped and counted; the count is reported in the stream), each line at most
/// ``maximumLineLength`` bytes. Its output queue is bounded by the owner as every session's is.
struct Watcher: Sendable {
    /// Watchers one cube serves at once; each routed message is matched against every pattern.
    static let maximumWatchers = 8
    /// Lines one watcher is sent per second at most.
    static let linesPerSecond = 200
    /// A copied line longer than this is cut (arguments are the long part).
    static let maximumLineLength = 240

    let session: SessionID
    /// The id of the `watch` command; every chunk and the final reply carry it.
    let commandID: UInt64
    let pattern: GlobPattern
    /// Start of the current one-second window (monotonic ns) and lines sent in it.
    var windowStart: UInt64
    var sentInWindow = 0
    /// Lines sent and dropped since the watch began; drops not yet reported.
    var sent: UInt64 = 0
    var dropped: UInt64 = 0
    var unreportedDrops: UInt64 = 0
}
