/// The sessions watching routed traffic (`watch <pattern>`, docs/protocol.md §8.4), as a
/// pure state machine: the router tells it what was routed and sends the lines it returns.
///
/// It owns every bound of a watch (``Watcher``): how many watchers, how many lines per
/// watcher and second, how long a line. It never sees a session, only the ids the router
/// gives it, so it is tested without a router (`TrafficWatchTests`).
struct TrafficWatch: Sendable {
    /// One line for one watcher: a `STRM` chunk under the id of its `watch` command.
    struct Copy: Equatable, Sendable {
        let session: SessionID
        let commandID: UInt64
        let line: String
    }

    /// Why a `watch` was refused; ``text`` is the `FALSE` reply's text.
    enum Refusal: Equatable, Sendable {
        case alreadyWatching
        case tooManyWatchers

        var text: String {
            switch self {
            case .alreadyWatching: "already watching; 'unwatch' first"
            case .tooManyWatchers: "too many watchers (at most \(Watcher.maximumWatchers) per cube)"
            }
        }
    }

    private(set) var watchers: [Watcher] = []

    /// Whether nobody watches: the router asks this for every routed message and does nothing
    /// more while it is true.
    var isEmpty: Bool { watchers.isEmpty }
    var count: Int { watchers.count }

    /// `watch <pattern>` from `session`: nil when it now watches.
    mutating func start(session: SessionID, commandID: UInt64, pattern: GlobPattern, now: UInt64) -> Refusal? {
        guard !watchers.contains(where: { $0.session == session }) else { return .alreadyWatching }
        guard watchers.count < Watcher.maximumWatchers else { return .tooManyWatchers }
        watchers.append(Watcher(session: session, commandID: commandID, pattern: pattern, windowStart: now))
        return nil
    }

    /// `unwatch` (or the session left): the watch it ended, nil when it was not watching.
    @discardableResult
    mutating func stop(session: SessionID) -> Watcher? {
        guard let index = watchers.firstIndex(where: { $0.session == session }) else { return nil }
        return watchers.remove(at: index)
    }

    /// A routed message's line, for every watcher whose pattern matches `path` and whose
    /// window has room; a watcher past its rate counts the line as dropped.
    /// - Parameter now: monotonic nanoseconds.
    mutating func copy(_ line: String, path: [UInt8], now: UInt64) -> [Copy] {
        var copies: [Copy] = []
        let shown = Self.cut(line)
        for index in watchers.indices where watchers[index].pattern.matches(path) {
            startWindowIfDue(index, now: now, into: &copies)
            guard watchers[index].sentInWindow < Watcher.linesPerSecond else {
                watchers[index].dropped += 1
                watchers[index].unreportedDrops += 1
                continue
            }
            watchers[index].sentInWindow += 1
            watchers[index].sent += 1
            copies.append(Copy(session: watchers[index].session, commandID: watchers[index].commandID, line: shown))
        }
        return copies
    }

    /// The drop reports of watchers whose window has passed (the router's tick).
    mutating func reportDrops(now: UInt64) -> [Copy] {
        var copies: [Copy] = []
        for index in watchers.indices where watchers[index].unreportedDrops > 0 {
            startWindowIfDue(index, now: now, into: &copies)
        }
        return copies
    }

    /// Opens a new one-second window once the current one is over, reporting the drops of the last.
    private mutating func startWindowIfDue(_ index: Int, now: UInt64, into copies: inout [Copy]) {
        guard now &- watchers[index].windowStart >= 1_000_000_000 else { return }
        watchers[index].windowStart = now
        watchers[index].sentInWindow = 0
        let drops = watchers[index].unreportedDrops
        guard drops > 0 else { return }
        watchers[index].unreportedDrops = 0
        let line = "... \(drops) lines dropped (more than \(Watcher.linesPerSecond) lines/s)"
        copies.append(Copy(session: watchers[index].session, commandID: watchers[index].commandID, line: line))
    }

    /// `line` cut to ``Watcher/maximumLineLength`` bytes (at a character boundary), control
    /// characters shown as `?`: C0, DEL and C1 (U+0080–U+009F, which some terminals obey as
    /// well: U+009B is a CSI).
    static func cut(_ line: String) -> String {
        var out = ""
        var length = 0
        for scalar in line.unicodeScalars {
            let shown: Unicode.Scalar = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar
            length += String(shown).utf8.count
            if length > Watcher.maximumLineLength - 3 {
                out += "..."
                break
            }
            out.unicodeScalars.append(shown)
        }
        return out
    }
}
