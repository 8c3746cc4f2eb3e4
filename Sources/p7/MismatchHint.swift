import enum CubeCore.Wire

/// What p7 adds to the cube's bare `FALSE protocol mismatch` (docs/protocol.md §4.2).
///
/// The cube keeps the original's answer for a line it cannot parse (wire compatibility), but
/// a user who typed `p7 Heart` learns nothing from it. The usual cause is a command name
/// that does not start with a lower-case letter or digit; p7 says so on stderr.
enum MismatchHint {
    /// A line for stderr explaining why `command` was not understood, or nil when the reply
    /// is not a protocol mismatch.
    static func hint(command: String, replyText: String) -> String? {
        guard replyText == Wire.protocolMismatch else { return nil }
        let last = command.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? command
        if let first = last.unicodeScalars.first, ("A"..."Z").contains(first) {
            let lowered = String(command.dropLast(last.count)) + last.prefix(1).lowercased() + last.dropFirst()
            return "p7: the cube could not parse '\(command)': command names start with a lower-case letter "
                + "(did you mean '\(lowered)'?)"
        }
        return "p7: the cube could not parse '\(command)': a command path is [target.]...command, names of "
            + "0-9 A-Z a-z _ - (targets may add [sub]), the command starting with a lower-case letter"
    }
}
