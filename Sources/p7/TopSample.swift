/// One reading of a cube for `p7 top`: the `stats` counters and tables, and the listings it
/// shows as they are. Rates come from two readings (``TopFrame``).
struct TopSample {
    /// Per-user counters from the table in `stats`.
    struct UserCounters {
        var sessions = 0
        var requests: UInt64 = 0
        var answered: UInt64 = 0
        var answerMicroseconds: UInt64 = 0
    }

    /// When it was read.
    var at: ContinuousClock.Instant
    /// The `name value` lines of `stats`.
    var counters: [String: UInt64] = [:]
    var users: [String: UserCounters] = [:]
    /// `list zenki` rows: name, state, sessions.
    var zenki: [[String]] = []
    /// `list sessions` as the cube renders it.
    var sessions = ""
    /// `links`, or nil when the node is in no network.
    var links: String?

    /// Parses the text of `stats`.
    mutating func read(stats text: String) {
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        var index = 0
        while index < parts.count, !parts[index].isEmpty {
            let words = parts[index].split(separator: " ")
            if words.count == 2, let value = UInt64(words[1]) { counters[String(words[0])] = value }
            index += 1
        }
        let table = parts[min(index, parts.count)...].joined(separator: "\n")
        for row in Completer.rows(of: table) {
            let cells = row.split(separator: " ").map(String.init)
            guard cells.count == 5, let sessions = Int(cells[1]), let requests = UInt64(cells[2]),
                  let answered = UInt64(cells[3]), let microseconds = UInt64(cells[4]) else { continue }
            users[cells[0]] = UserCounters(sessions: sessions, requests: requests, answered: answered,
                                           answerMicroseconds: microseconds)
        }
    }

    /// Parses `list zenki`.
    mutating func read(zenki text: String) {
        zenki = Completer.rows(of: text).map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 3 }
    }
}
