/// The commands a cube answers itself (docs/protocol.md §8): one table that both the
/// dispatcher (`Router.runLocal`) and the `commands` listing read, so help and behaviour cannot
/// drift apart. A new local command is one row here. Each row's `CommandAccess` is who may run it
/// under the default configuration (`DefaultConfigurationTests` checks it).
enum LocalCommand {
    /// Runs one local command: reads and changes the router, appends what to send.
    typealias Handler = @Sendable (inout Router, LocalCall, inout [RouterAction]) -> Void
    private typealias Row = CommandEntry<Handler>

    /// Every local command, in the order `commands` lists them.
    static let all = CommandTable<Handler>([
        Row(name: "heart", usage: "heart [notime]", summary: "liveness check, answers 'beating'", access: .everyone, action: .heart),
        Row("whoami", "whoami", "your user name and session id", .everyone) { router, call, actions in
            router.answer(call, .trueReply, "\(call.user) \(call.id)", &actions)
        },
        Row(name: "name", usage: "name", summary: "the name of this node", access: .everyone, action: .name),
        Row(name: "commands", usage: "commands [word]", summary: "the commands you may use", access: .everyone, action: .commands),
        Row("list", "list [sessions|users|routes|zenki|nodes]", "tables of the cube's state", .everyone) { router, call, actions in
            let text = router.listTable(call.words.first, now: call.now)
            router.answer(call, table: text, else: "no such list [ see 'list' command ]", &actions)
        },
        Row("present", "present <name>", "whether a user or zenka is connected", .everyone) { router, call, actions in
            router.answer(call, router.present(call.words.first), &actions)
        },
        Row("exit", "exit", "say goodbye and close this session", .everyone) { router, call, actions in
            router.answer(call, .trueReply, "bye", &actions)
            router.close(call.id, now: call.now, actions: &actions)
        },
        Row("close", "close", "close this session without a reply", .everyone) { router, call, actions in
            router.close(call.id, now: call.now, actions: &actions)
        },
        Row("select", "select <name|sid|name[sub]>", "prefix later commands with a target", .everyone) { router, call, actions in
            router.answer(call, router.select(call.words, caller: call.id), &actions)
        },
        Row("unselect", "unselect (or ..)", "clear the selected base path", .everyone) { router, call, actions in
            router.answer(call, router.unselect(call.id), &actions)
        },
        Row("basepath", "basepath", "show the selected base path", .everyone) { router, call, actions in
            let base = router.sessions[call.id]?.basePath.map { String(decoding: $0, as: UTF8.self) }
            router.answer(call, base.map { (.trueReply, $0) } ?? (.falseReply, "not set"), &actions)
        },
        Row("set-initialized", "set-initialized <sid|0>", "mark a zenka session initialized", .granted) { router, call, actions in
            router.answer(call, router.setInitialized(call.words.first, caller: call.id), &actions)
        },
        Row("session-key", "session-key <name>[<sub>] <key>", "register a one-time zenka key", .granted) { router, call, actions in
            router.answer(call, router.sessionKey(call.words, now: call.now), &actions)
        },
        Row("ondemand-zenka", "ondemand-zenka add|del <name>", "register an on-demand zenka", .granted) { router, call, actions in
            router.answer(call, router.onDemandCommand(call.words, now: call.now, actions: &actions), &actions)
        },
        Row("term-all", "term-all <user|sid> [message]", "terminate sessions", .granted) { router, call, actions in
            router.termAll(call.words, command: call.command, caller: call.id, user: call.user, now: call.now, actions: &actions)
        },
        Row("size-unit", "size-unit [bytes|characters]", "what SIZE counts count on this session", .everyone) { router, call, actions in
            router.answer(call, router.sizeUnit(call.words.first, session: call.id), &actions)
        },
        Row("ptl-ver", "ptl-ver", "the protocol version", .everyone) { router, call, actions in
            router.answer(call, .trueReply, #": protocol version : \\PROTOCOL-7-VERSION\\\#(Wire.version)\\"#, &actions)
        },
        Row("version", "version", "the software version of this cube", .everyone) { router, call, actions in
            router.answer(call, .trueReply, SoftwareVersion.number, &actions)
        },
        Row("offer", "offer <kind> <capacity> [key=value...]", "offer a resource (e.g. storage 10GiB)", .everyone) { router, call, actions in
            let answer = router.offerCommand(call.words, from: call.id, user: call.user, now: call.now, actions: &actions)
            router.answer(call, answer, &actions)
        },
        Row("unoffer", "unoffer <offer>", "withdraw one of your offers", .everyone) { router, call, actions in
            let answer = router.unofferCommand(call.words, from: call.id, user: call.user, now: call.now, actions: &actions)
            router.answer(call, answer, &actions)
        },
        Row("offers", "offers [kind]", "table of resource offers", .everyone) { router, call, actions in
            router.answer(call, table: router.offersTable(kind: call.words.first), &actions)
        },
        Row("acquire", "acquire <offer|kind> <amount> [ttl] ...", "lease an offer, or the best match (where, rank)", .everyone) { router, call, actions in
            router.acquire(call.command, words: call.words, from: call.id, user: call.user, relayed: call.relayed, now: call.now,
                           actions: &actions)
        },
        Row("renew", "renew <lease> [ttl]", "extend one of your leases", .everyone) { router, call, actions in
            router.answer(call, router.renew(call.words, from: call.id, user: call.user, now: call.now), &actions)
        },
        Row("release", "release <lease>", "give a lease back", .everyone) { router, call, actions in
            router.answer(call, router.releaseCommand(call.words, user: call.user, now: call.now, actions: &actions), &actions)
        },
        Row("leases", "leases", "your leases, held and provided", .everyone) { router, call, actions in
            router.answer(call, table: router.leasesTable(user: call.user, now: call.now), &actions)
        },
        Row("balance", "balance", "your credits (docs/market.md)", .everyone) { router, call, actions in
            router.answer(call, router.balanceCommand(user: call.user), &actions)
        },
        Row("statement", "statement [n]", "your last n account entries (default 20)", .everyone) { router, call, actions in
            let text = router.statementTable(call.words, user: call.user, now: call.now.wall)
            router.answer(call, table: text, else: "usage: statement [1...\(Ledger.recentEntries)]", &actions)
        },
        Row("grant", "grant <user> <credits>", "add credits to a user's account", .granted) { router, call, actions in
            router.answer(call, router.grantCommand(call.words, admin: call.user, now: call.now), &actions)
        },
        Row("set-client-key", "set-client-key <key> <name> [days]", "sign a user's c25519 key", .granted) { router, call, actions in
            router.answer(call, router.setClientKey(call.words, now: call.now), &actions)
        },
        Row("revoke", "revoke <key|certificate-id>", "refuse a key or certificate on every node", .granted) { router, call, actions in
            router.answer(call, router.revokeCommand(call.words, now: call.now, actions: &actions), &actions)
        },
        Row("revocations", "revocations", "table of revoked keys and certificates", .granted) { router, call, actions in
            router.answer(call, table: router.revocationsTable(), &actions)
        },
        Row("link", "link tcp:<host>:<port>", "keep a link to another node", .granted) { router, call, actions in
            router.answer(call, router.linkCommand(call.words, actions: &actions), &actions)
        },
        Row("unlink", "unlink <node|tcp:host:port>", "drop a link and stop redialling it", .granted) { router, call, actions in
            router.answer(call, router.unlinkCommand(call.words, now: call.now, actions: &actions), &actions)
        },
        Row("links", "links", "table of this node's links and peers", .granted) { router, call, actions in
            router.answer(call, table: router.linksTable(now: call.now), else: Wire.noNetwork, &actions)
        },
        // Answered by `reloadFinished` once the owner has read and applied the files.
        Row("reload", "reload", "re-read the configuration, apply it live", .granted) { router, call, actions in
            router.sessions[call.id]?.pendingReloads += 1
            actions.append(.reload(call.id, command: call.command.id))
        },
        Row("stats", "stats [zenka]", "counters of the router and of each user, for p7 top", .granted) { router, call, actions in
            // With a name: that zenka's instances and pool figures (docs/pooling.md "Stats").
            guard let zenka = call.words.first else { return router.answer(call, table: router.statsText(now: call.now), &actions) }
            let text = router.zenkaStats(zenka, now: call.now)
            router.answer(call, table: text, else: "no such zenka '\(zenka)'", &actions)
        },
        Row("watch", "watch <pattern>", "copies of routed traffic matching a path pattern", .granted) { router, call, actions in
            router.watch(call.words, command: call.command, caller: call.id, now: call.now, actions: &actions)
        },
        Row("unwatch", "unwatch", "end your watch", .granted) { router, call, actions in
            router.unwatch(command: call.command, caller: call.id, actions: &actions)
        },
    ])
}
