// `stats`: the router's counters and, per logged-in user, the commands routed to it and how
// fast they were answered (docs/protocol.md §8.4). `p7 top` turns successive samples
// into rates; the counters only grow (a user's count restarts when its sessions go).
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
        line("watchers", watchers.count)
        var table = TextTable(headers: ["user", "sessions", "requests", "answered", "answer-us"])
        for (user, entry) in usersIndex.sorted(by: { $0.key < $1.key }) {
            var requests: UInt64 = 0, answered: UInt64 = 0, nanoseconds: UInt64 = 0
            let members = entry.ids.compactMap { sessions[$0] }
            for session in members {
                requests &+= session.requestsReceived
                answered &+= session.requestsAnswered
                nanoseconds &+= session.answerNanoseconds
            }
            table.append([user, String(members.count), String(requests), String(answered), String(nanoseconds / 1000)])
        }
        return text + "\n" + table.render()
    }
}
