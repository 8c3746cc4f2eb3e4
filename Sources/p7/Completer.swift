/// What `TAB` offers for the command word in the terminal: local commands, targets (each with
/// a `.` after it, since a target alone is no command) and, after `target.`, the commands that
/// target lists in its `commands` table (docs/p7.md "The terminal").
///
/// The cube is asked through `ask`, which sends one command and returns the lines of its
/// `SIZE` table (nil if it failed). Paths are sent as typed, so the cube applies the selected
/// base path to them exactly as it will to the command; listings of the cube itself are sent
/// as `..list`/`..commands`, which ignore the base path. Answers are cached per base path for
/// the session; ``forget()`` drops them.
final class Completer {
    private let ask: (String) -> [String]?
    private var cache: [String: [String]] = [:]

    init(ask: @escaping (String) -> [String]?) {
        self.ask = ask
    }

    /// Drops every cached answer.
    func forget() {
        cache = [:]
    }

    /// The completions of `word`, the first word of the line, with `base` selected.
    func candidates(for word: String, base: String?) -> [String] {
        if word.hasPrefix("..") {
            return candidates(for: String(word.dropFirst(2)), base: nil).map { ".." + $0 }
        }
        if let dot = word.lastIndex(of: ".") {
            let prefix = String(word[..<dot])
            let partial = word[word.index(after: dot)...]
            guard !prefix.isEmpty else { return [] }
            return names(asking: prefix + ".commands", base: base)
                .filter { $0.hasPrefix(partial) }
                .map { prefix + "." + $0 }
        }
        var all: [String]
        if base != nil {
            all = names(asking: "commands", base: base)
        } else {
            all = names(asking: "..commands", base: nil)
            let targets = Set(names(asking: "..list users", base: nil) + names(asking: "..list zenki", base: nil))
            all += targets.sorted().map { $0 + "." }
        }
        return all.filter { $0.hasPrefix(word) }
    }

    /// The first column of a table the cube or a zenka sends, cached.
    private func names(asking query: String, base: String?) -> [String] {
        let key = (base ?? "") + "\u{0}" + query
        if let known = cache[key] { return known }
        let names = (ask(query) ?? []).compactMap { $0.split(separator: " ").first.map(String.init) }
        // Users listed by `list users` change while the terminal runs; only command tables are kept.
        if !query.hasPrefix("..list") { cache[key] = names }
        return names
    }

    /// The rows of a table as `TextTable` renders it (header, rule of dashes, rows); a reply
    /// without a rule is taken as rows only.
    static func rows(of table: String) -> [String] {
        let lines = table.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let rule = lines.firstIndex(where: { !$0.isEmpty && $0.allSatisfy { $0 == "-" } }) else { return lines }
        return Array(lines[(rule + 1)...])
    }

    /// The longest prefix shared by all of `words`.
    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let characters = Array(word)
            var length = 0
            while length < min(prefix.count, characters.count) && prefix[length] == characters[length] { length += 1 }
            prefix.removeLast(prefix.count - length)
        }
        return String(prefix)
    }
}
