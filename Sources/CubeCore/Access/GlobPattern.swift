/// One access pattern (docs/protocol.md §3.4): anchored, `*` matches within one dot-separated
/// segment (`[^.]+`), `**` matches anything (`.+`), every other byte (brackets too) is literal.
package struct GlobPattern: Equatable, Sendable, CustomStringConvertible {
    private enum Piece: Equatable, Sendable {
        case literal(UInt8)
        case segment
        case anything
    }

    private let pieces: [Piece]
    package let description: String
    /// True for `**` alone, the usual admin rule: it matches every non-empty path.
    package let matchesEverything: Bool
    /// The pattern's bytes when it has no wildcard (`heart`, `whoami`): such a pattern matches
    /// only that path, compared in place.
    private let literal: [UInt8]?

    package init(_ text: String) {
        description = text
        var pieces: [Piece] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "*") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*") {
                    pieces.append(.anything)
                    index += 2
                } else {
                    pieces.append(.segment)
                    index += 1
                }
            } else {
                pieces.append(.literal(bytes[index]))
                index += 1
            }
        }
        self.pieces = pieces
        matchesEverything = pieces == [.anything]
        literal = pieces.allSatisfy(Self.isLiteral) ? bytes : nil
    }

    /// Whether the whole of `subject` matches. Linear in the subject per pattern piece
    /// (dynamic programming), so a long hostile path cannot make matching explode.
    package func matches(_ subject: some Collection<UInt8>) -> Bool {
        // `**` alone (the usual admin rule) matches any non-empty path: no work at all.
        if matchesEverything { return !subject.isEmpty }
        // Without a wildcard: a comparison, with no copy of the subject. The patterns of `*`
        // (`access.cmd.usr.* = heart whoami` and the like) are tried on every command.
        if let literal { return subject.count == literal.count && subject.elementsEqual(literal) }
        let bytes = Array(subject)
        // reachable[i]: the pieces so far can match exactly the first i bytes.
        var reachable = [Bool](repeating: false, count: bytes.count + 1)
        reachable[0] = true
        var next = reachable
        for piece in pieces {
            for index in next.indices { next[index] = false }
            switch piece {
            case .literal(let byte):
                for index in bytes.indices where reachable[index] && bytes[index] == byte { next[index + 1] = true }
            case .segment:
                // One or more bytes, none of them a dot.
                var open = false
                for index in bytes.indices {
                    open = (open || reachable[index]) && bytes[index] != UInt8(ascii: ".")
                    next[index + 1] = open
                }
            case .anything:
                // One or more bytes of anything.
                var open = false
                for index in bytes.indices {
                    open = open || reachable[index]
                    next[index + 1] = open
                }
            }
            swap(&reachable, &next)
            if !reachable.contains(true) { return false }
        }
        return reachable[bytes.count]
    }

    private static func isLiteral(_ piece: Piece) -> Bool {
        if case .literal = piece { return true }
        return false
    }
}
