/// One `key = value` entry and where it was written.
package struct ConfigEntry: Equatable, Sendable {
    package var key: String
    package var value: String
    package var file: String
    package var line: Int
}

/// Parser for the original's configuration syntax: `key.path = value` lines, `#` starts a
/// comment, a trailing `\` continues the line, blank lines are ignored.
package enum ConfigFile {
    /// Parses `text`; `file` names the source in errors.
    /// - Throws: ``ConfigError`` for a line that is not `key = value` or an invalid key.
    package static func parse(_ text: String, file: String) throws(ConfigError) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        var pending = ""
        var pendingLine = 0
        var lineNumber = 0
        // On the scalar LF: `String.split(separator: "\n")` compares characters, and a CRLF is
        // one character, so a CRLF file was one line, with a comment on top an empty
        // configuration (a reload then dropped every access rule; a hostile second reader).
        // A byte order mark some editors write first is no part of the first key (it made
        // an invisible `invalid key 'node.name'`, a hostile reader's finding).
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        for rawLine in scalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            // A CR kept in a value could make a pattern nobody can see; refused, and said why.
            if rawLine.last == "\r" {
                throw ConfigError(file: file, line: lineNumber,
                                  message: "line ends in CR (a CRLF file?): save it with LF line ends")
            }
            if rawLine.contains("\r") {
                throw ConfigError(file: file, line: lineNumber, message: "a CR inside the line: remove it")
            }
            var line = stripComment(String(String.UnicodeScalarView(rawLine)))
            if pending.isEmpty { pendingLine = lineNumber }
            let continues = line.hasSuffix("\\")
            if continues {
                line.removeLast()
                line = line.trimmed
            }
            pending += pending.isEmpty ? line : " " + line.trimmed
            if continues { continue }
            defer { pending = "" }
            let logical = pending.trimmed
            guard !logical.isEmpty else { continue }
            guard let equals = logical.firstIndex(of: "=") else {
                throw ConfigError(file: file, line: pendingLine, message: "expected 'key = value', found '\(logical)'")
            }
            let key = String(logical[..<equals]).trimmed
            let value = String(logical[logical.index(after: equals)...]).trimmed
            guard isValidKey(key) else {
                throw ConfigError(file: file, line: pendingLine, message: "invalid key '\(key)'")
            }
            entries.append(ConfigEntry(key: key, value: value, file: file, line: pendingLine))
        }
        if !pending.trimmed.isEmpty {
            throw ConfigError(file: file, line: pendingLine, message: "line continuation at end of file")
        }
        return entries
    }

    /// Removes a `#` comment (a `#` inside a value must be written `\#`).
    private static func stripComment(_ line: String) -> String {
        var out = ""
        var escaped = false
        for character in line {
            if escaped {
                if character != "#" { out.append("\\") }
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "#" {
                break
            } else {
                out.append(character)
            }
        }
        if escaped { out.append("\\") }
        return out
    }

    /// Keys are dot-separated words of `[0-9A-Za-z_*<>[\]-]`.
    private static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, !key.hasPrefix("."), !key.hasSuffix("."), !key.contains("..") else { return false }
        return key.utf8.allSatisfy { Bytes.isAlnum($0) || "._-*<>[]".utf8.contains($0) }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
