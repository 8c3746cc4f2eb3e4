/// One command the cube answers itself (PROTOCOL.md §8). The table drives `commands`,
/// the dispatcher and the documentation, so help and behaviour cannot drift apart.
public struct LocalCommand: Sendable {
    public let name: String
    public let usage: String
    public let summary: String

    /// Every local command, in the order `commands` lists them.
    public static let all: [LocalCommand] = [
        .init(name: "heart", usage: "heart [notime]", summary: "liveness check, answers 'beating'"),
        .init(name: "whoami", usage: "whoami", summary: "your user name and session id"),
        .init(name: "name", usage: "name", summary: "the name of this node"),
        .init(name: "commands", usage: "commands [word]", summary: "the commands you may use"),
        .init(name: "list", usage: "list [sessions|users|routes|zenki|nodes]", summary: "tables of the cube's state"),
        .init(name: "present", usage: "present <name>", summary: "whether a user or zenka is connected"),
        .init(name: "exit", usage: "exit", summary: "say goodbye and close this session"),
        .init(name: "close", usage: "close", summary: "close this session without a reply"),
        .init(name: "select", usage: "select <name|sid|name[sub]>", summary: "prefix later commands with a target"),
        .init(name: "unselect", usage: "unselect (or ..)", summary: "clear the selected base path"),
        .init(name: "basepath", usage: "basepath", summary: "show the selected base path"),
        .init(name: "set-initialized", usage: "set-initialized <sid|0>", summary: "mark a zenka session initialized"),
        .init(name: "session-key", usage: "session-key <name>[<sub>] <key>", summary: "register a one-time zenka key"),
        .init(name: "ondemand-zenka", usage: "ondemand-zenka add|del <name>", summary: "register an on-demand zenka"),
        .init(name: "term-all", usage: "term-all <user|sid> [message]", summary: "terminate sessions"),
        .init(name: "size-unit", usage: "size-unit [bytes|characters]", summary: "what SIZE counts count on this session"),
        .init(name: "ptl-ver", usage: "ptl-ver", summary: "the protocol version"),
        .init(name: "version", usage: "version", summary: "the software version of this cube"),
        .init(name: "offer", usage: "offer <kind> <capacity> [key=value...]", summary: "offer a resource (e.g. storage 10GiB)"),
        .init(name: "unoffer", usage: "unoffer <offer>", summary: "withdraw one of your offers"),
        .init(name: "offers", usage: "offers [kind]", summary: "table of resource offers"),
        .init(name: "acquire", usage: "acquire <offer|kind> <amount> [ttl] ...", summary: "lease an offer, or the best match (where, rank)"),
        .init(name: "renew", usage: "renew <lease> [ttl]", summary: "extend one of your leases"),
        .init(name: "release", usage: "release <lease>", summary: "give a lease back"),
        .init(name: "leases", usage: "leases", summary: "your leases, held and provided"),
        .init(name: "set-client-key", usage: "set-client-key <key> <name> [days]", summary: "sign a user's c25519 key"),
        .init(name: "link", usage: "link tcp:<host>:<port>", summary: "keep a link to another node"),
        .init(name: "unlink", usage: "unlink <node|tcp:host:port>", summary: "drop a link and stop redialling it"),
        .init(name: "links", usage: "links", summary: "table of this node's links and peers"),
        .init(name: "reload", usage: "reload", summary: "re-read the configuration, apply it live"),
        .init(name: "stats", usage: "stats", summary: "counters of the router and of each user, for p7 top"),
        .init(name: "watch", usage: "watch <pattern>", summary: "copies of routed traffic matching a path pattern"),
        .init(name: "unwatch", usage: "unwatch", summary: "end your watch"),
    ]

    /// The local command called `name`, if any.
    public static func named(_ name: String) -> LocalCommand? { all.first { $0.name == name } }
}
