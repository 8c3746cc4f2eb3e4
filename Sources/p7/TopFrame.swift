/// One screen of `p7 top`, from two readings (docs/p7.md "p7 top"): the cube's counters as
/// rates over the interval between them, a row per zenka and per user that was sent commands,
/// then the cube's own `list sessions` and `links` tables.
struct TopFrame {
    let node: String
    let previous: TopSample
    let current: TopSample

    /// The lines of the frame, each cut to `width` columns.
    func lines(width: Int) -> [String] {
        let seconds = max(0.001, Double((current.at - previous.at).components.attoseconds) / 1e18
            + Double((current.at - previous.at).components.seconds))
        func rate(_ name: String) -> String {
            Self.decimal(Double(delta(current.counters[name], previous.counters[name])) / seconds)
        }
        let uptime = Self.duration(milliseconds: current.counters["uptime-ms"] ?? 0)
        var out: [String] = []
        out.append("p7 top: \(node)   up \(uptime)   sessions \(current.counters["sessions"] ?? 0)   "
            + "routes \(current.counters["routes"] ?? 0)   watchers \(current.counters["watchers"] ?? 0)   "
            + "(every \(Self.decimal(seconds))s, Ctrl-C quits)")
        out.append("commands/s \(rate("commands-routed"))   replies/s \(rate("replies-relayed"))   "
            + "local/s \(rate("local-commands"))   logins/s \(rate("logins"))   "
            + "failed logins \(current.counters["failed-logins"] ?? 0)   memory \(current.counters["memory-held"] ?? 0) B")
        out.append("")
        var table = [["zenka/user", "state", "sessions", "req/s", "avg reply", "requests"]]
        for name in rowNames() {
            let now = current.users[name] ?? TopSample.UserCounters()
            let before = previous.users[name] ?? TopSample.UserCounters()
            let answered = delta(now.answered, before.answered)
            let latency = answered == 0 ? "-"
                : Self.latency(microseconds: Double(delta(now.answerMicroseconds, before.answerMicroseconds)) / Double(answered))
            let state = current.zenki.first { $0[0] == name }?[1] ?? "user"
            table.append([name, state, String(now.sessions), Self.decimal(Double(delta(now.requests, before.requests)) / seconds),
                          latency, String(now.requests)])
        }
        out += Self.align(table)
        out.append("")
        out.append("sessions:")
        out += current.sessions.split(separator: "\n").map(String.init)
        out.append("")
        if let links = current.links {
            out.append("links:")
            out += links.split(separator: "\n").map(String.init)
        } else {
            out.append("links: none (this node takes no part in a network)")
        }
        return out.map { String($0.prefix(max(20, width))) }
    }

    /// Zenki first (as `list zenki` orders them), then users that were sent commands; busiest first.
    private func rowNames() -> [String] {
        var names = current.zenki.map { $0[0] }
        for (name, counters) in current.users.sorted(by: { $0.key < $1.key })
        where counters.requests > 0 && !names.contains(name) {
            names.append(name)
        }
        func busy(_ name: String) -> UInt64 {
            delta(current.users[name]?.requests, previous.users[name]?.requests)
        }
        return names.enumerated().sorted { left, right in
            busy(left.element) != busy(right.element) ? busy(left.element) > busy(right.element) : left.offset < right.offset
        }.map(\.element)
    }

    /// Counters only grow; one that shrank (its sessions went and came back) counts from zero.
    private func delta(_ now: UInt64?, _ before: UInt64?) -> UInt64 {
        let now = now ?? 0, before = before ?? 0
        return now >= before ? now - before : now
    }

    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func latency(microseconds: Double) -> String {
        microseconds < 1000 ? "\(Int(microseconds.rounded())) us" : "\(decimal(microseconds / 1000)) ms"
    }

    static func duration(milliseconds: UInt64) -> String {
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        if seconds < 86_400 { return "\(seconds / 3600)h\(seconds / 60 % 60)m" }
        return "\(seconds / 86_400)d\(seconds / 3600 % 24)h"
    }

    /// Rows padded to aligned columns.
    static func align(_ rows: [[String]]) -> [String] {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }.joined()
        }
    }
}
