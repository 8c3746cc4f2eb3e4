// `stats`: the router's counters and, per logged-in user, the commands routed to it and how
// fast they were answered (docs/protocol.md §8.4). `p7 top` turns successive samples
// into rates; the counters only grow (they are kept per name, across sessions).
extension Router {
    /// `name value` lines, a blank line, then a table with one row per logged-in user.
    func statsText(now: Timestamp) -> String {
        var text = ""
        func line(_ name: String, _ value: some BinaryInteger) { text += "\(name) \(value)\n" }
        line("uptime-ms", (now.monotonic &- started.monotonic) / 1_000_000)
        line("sessions", sessions.count)
        line("routes", routes.count)
        line("commands-routed", stats.commandsRouted)
        line("replies-relayed", stats.repliesRelayed)
        line("local-commands", stats.localCommands)
        line("logins", stats.logins)
        line("failed-logins", stats.failedLogins)
        line("memory-held", memory.held)
        line("watchers", trafficWatch.count)
        var table = TextTable(headers: ["user", "sessions", "requests", "answered", "answer-us"])
        // The per-name counters the metrics export (``TargetCounters``): one count per routed
        // command, one histogram entry per final reply.
        for user in users.names.sorted() {
            let counters = targetCounters[user]
            let answered = counters?.latency.counts.reduce(0, &+) ?? 0
            let nanoseconds = counters?.latency.sums.reduce(0, &+) ?? 0
            table.append([user, String(users.count(of: user)), String(counters?.requests ?? 0), String(answered),
                          String(nanoseconds / 1000)])
        }
        return text + "\n" + table.render()
    }
}
