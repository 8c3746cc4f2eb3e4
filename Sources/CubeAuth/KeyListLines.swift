/// The line syntax shared by the authorized-keys and known-nodes files: fields separated by
/// spaces or tabs, `#` starts a comment that runs to the end of the line, blank lines ignored.
enum KeyListLines {
    /// One meaningful line.
    struct Line {
        /// The 1-based line number, for error messages.
        let number: Int
        /// The fields, without the comment.
        let fields: [String]
    }

    /// Splits `text` into meaningful lines.
    static func parse(_ text: String) -> [Line] {
        var lines: [Line] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let content = raw.prefix { $0 != "#" }
            let fields = content.split { $0 == " " || $0 == "\t" || $0 == "\r" }.map(String.init)
            if !fields.isEmpty { lines.append(Line(number: number, fields: fields)) }
        }
        return lines
    }

    /// A `.malformed` error naming the file kind and line.
    static func error(_ file: String, _ line: Int, _ problem: String) -> AuthError {
        AuthError(.malformed, function: file, detail: "line \(line): \(problem)")
    }

    /// Reads a list file as UTF-8 text (invalid bytes become U+FFFD and then fail to parse).
    static func read(_ path: String, kind: String) throws(AuthError) -> String {
        do {
            return String(decoding: try FileIO.readFile(path), as: UTF8.self)
        } catch {
            guard error.kind == .malformed else { throw error }
            throw AuthError(.malformed, function: kind, detail: error.detail)
        }
    }
}
