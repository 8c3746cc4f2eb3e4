import CubeCore

/// The commands of the `v7` zenka (docs/zenki.md "The manager's commands"): one table that both
/// dispatches and lists. Each row's `CommandAccess` is who may run `v7.<command>` under the
/// default configuration (`DefaultConfigurationTests` checks it).
enum ManagerCommand {
    /// What a `v7` command answers.
    enum Answer {
        /// `TRUE`/`FALSE <text>`.
        case line(ReplyKeyword, String)
        /// A `SIZE` table.
        case table(String)
        /// Nothing yet: `observe` answers once the zenka joins or leaves.
        case deferred

        /// `TRUE`/`FALSE <text>` from a (keyword, text) pair.
        static func reply(_ pair: (ReplyKeyword, String)) -> Answer { .line(pair.0, pair.1) }
    }

    /// Runs one command on the manager's queue: the manager, the command, its arguments.
    typealias Handler = @Sendable (Manager, Command, [String]) -> Answer
    private typealias Row = CommandEntry<Handler>

    /// Every `v7` command, in the order `commands` lists them.
    static let all = CommandTable<Handler>([
        Row("start", "start <name>", "start an instance of a configured zenka", .granted) { manager, _, words in
            .reply(manager.start(words, once: false))
        },
        Row("start_once", "start_once <name>", "start it unless it is already running", .granted) { manager, _, words in
            .reply(manager.start(words, once: true))
        },
        Row("stop", "stop <name|instance>...", "stop instances (no automatic restart until started again)", .granted) { manager, _, words in
            .reply(manager.stop(words, now: Manager.now))
        },
        Row("restart", "restart <name|instance>...", "stop and start instances", .granted) { manager, _, words in
            .reply(manager.restart(words, now: Manager.now))
        },
        Row("status", "status [name|instance]", "table of running instances", .everyone) { manager, _, words in
            .table(manager.statusTable(words.first, now: Manager.now))
        },
        Row("list", "list", "table of configured zenki", .everyone) { manager, _, _ in .table(manager.listTable()) },
        Row("notify_online", "notify_online <name>", "answer once <name> is online (at once if it is)", .everyone) { manager, command, words in
            manager.notify(command, words, online: true)
        },
        Row("notify_offline", "notify_offline <name>", "answer once <name> has no session left (at once if none)", .granted) { manager, command, words in
            manager.notify(command, words, online: false)
        },
        Row(name: "heart", usage: "heart [notime]", summary: "liveness check", access: .everyone, action: .heart),
        Row(name: "name", usage: "name", summary: "the manager's name, v7", access: .granted, action: .name),
        Row(name: "commands", usage: "commands", summary: "this table", access: .granted, action: .commands),
    ])
}
