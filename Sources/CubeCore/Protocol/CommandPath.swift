/// A command path split into its target and the remainder forwarded to it (docs/protocol.md §4.3).
///
/// Not `Equatable`: it holds where the remainder starts, not the remainder, so two paths to
/// one target with remainders of one length would compare equal.
package struct CommandPath: Sendable {
    /// How the first element addresses its target.
    package enum Target: Equatable, Sendable {
        case session(UInt64)
        case name(String)
        case subname(name: String, sub: String)
    }

    /// nil for a local command.
    package var target: Target?
    /// How many bytes of the path the first element and its dot take (0 for a local
    /// command): the remainder starts there.
    ///
    /// A count, not slices of the path: a path is parsed for every routed command, and each
    /// slice held the line's storage, so every copy of the parsed path retained and released
    /// it twice (docs/performance.md "Router CPU per pipelined request"). The parts are cut
    /// from the path they were parsed from when they are needed (``remainder(of:)``).
    package var remainderOffset: Int

    /// Parses a path token; nil when it matches neither a local command nor a routed path.
    package init?(_ path: [UInt8]) {
        self.init(path[...])
    }

    /// Parses a path token given as a slice (of a line read in place).
    init?(_ path: ArraySlice<UInt8>) {
        guard let dot = CommandPath.firstSeparator(in: path) else {
            guard Names.isCommandName(path) else { return nil }
            target = nil
            remainderOffset = 0
            return
        }
        let first = path[..<dot]
        let rest = path[(dot + 1)...]
        guard CommandPath.isValidRemainder(rest) else { return nil }
        if Names.isSessionID(first) {
            guard let id = UInt64(String(decoding: first, as: UTF8.self)) else { return nil }
            target = .session(id)
        } else if Names.isUserName(first) {
            target = .name(String(decoding: first, as: UTF8.self))
        } else if let (name, sub) = Names.splitSubname(first) {
            target = .subname(name: String(decoding: name, as: UTF8.self), sub: String(decoding: sub, as: UTF8.self))
        } else {
            return nil
        }
        remainderOffset = dot + 1 - path.startIndex
    }

    /// The first element of `path` (the one this was parsed from, or a copy of it) as
    /// written, for access checks and messages; empty for a local command.
    package func targetElement<Path: Collection<UInt8>>(of path: Path) -> Path.SubSequence {
        path.prefix(Swift.max(remainderOffset - 1, 0))
    }

    /// Everything of `path` (the one this was parsed from, or a copy of it) after the first
    /// element; the whole path for a local command.
    package func remainder<Path: Collection<UInt8>>(of path: Path) -> Path.SubSequence {
        path.dropFirst(remainderOffset)
    }

    /// `elem(.elem)*.command`: every element but the last addresses a target.
    /// Checked in place on slices (this runs for every routed command: no allocations).
    private static func isValidRemainder(_ rest: ArraySlice<UInt8>) -> Bool {
        var start = rest.startIndex
        var depth = 0
        for index in rest.indices {
            let byte = rest[index]
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") { depth -= 1 }
            if byte == UInt8(ascii: "."), depth == 0 {
                guard Names.isTargetElement(rest[start..<index]) else { return false }
                start = index + 1
            }
        }
        return Names.isCommandName(rest[start...])
    }

    /// Index of the first `.` outside brackets.
    private static func firstSeparator(in path: ArraySlice<UInt8>) -> Int? {
        var depth = 0
        for index in path.indices {
            let byte = path[index]
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") { depth -= 1 }
            if byte == UInt8(ascii: "."), depth == 0 { return index }
        }
        return nil
    }
}
