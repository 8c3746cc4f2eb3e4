/// The columns of a `commands` listing. Each command set keeps the layout it always had: the
/// cube's is pinned by transcripts (local-lists.txt); `v7`'s and the SDK's stay as they were
/// for whoever reads them.
package enum CommandListing: Sendable {
    /// `command  usage  description` (the cube's local commands).
    case nameUsageSummary
    /// `command  description`, the command column showing its usage (`v7`).
    case usageSummary
    /// `command  help`, the help line being the summary (zenki of the SDK).
    case nameHelp

    var headers: [String] {
        switch self {
        case .nameUsageSummary: ["command", "usage", "description"]
        case .usageSummary: ["command", "description"]
        case .nameHelp: ["command", "help"]
        }
    }

    func row<Handler>(_ entry: CommandEntry<Handler>) -> [String] {
        switch self {
        case .nameUsageSummary: [entry.name, entry.usage, entry.summary]
        case .usageSummary: [entry.usage, entry.summary]
        case .nameHelp: [entry.name, entry.summary]
        }
    }
}
