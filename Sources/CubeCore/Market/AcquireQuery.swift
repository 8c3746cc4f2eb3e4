/// The words of `acquire <kind> <amount> [ttl] [where <requirement>] [rank <expression>]`
/// (docs/market.md "Matchmaking"); `where` and `rank` may come in either order, once each.
package struct AcquireQuery: Equatable, Sendable {
    package var kind: String
    package var amount: UInt64
    /// The ttl word as given (checked by ``Market/ttl(_:)``), nil for the default.
    package var ttl: String?
    package var requirement: Expression?
    package var rank: Expression?

    package static let usage = "usage: acquire <offer|kind> <amount> [ttl] [where <requirement>] [rank <expression>]"

    /// Parses the words after `acquire`.
    /// - Returns: the query, or the text of the `FALSE` reply.
    package static func parse(_ words: [String]) -> Result<AcquireQuery, MarketQueryError> {
        guard words.count >= 2 else { return .failure(.init(usage)) }
        guard let amount = Capacity.parse(words[1]), amount > 0 else { return .failure(.init(MarketRefusal.invalidAmount(words[1]).text)) }
        var query = AcquireQuery(kind: words[0], amount: amount)
        var rest = words.dropFirst(2)
        if let first = rest.first, first != "where", first != "rank" {
            query.ttl = first
            rest = rest.dropFirst()
        }
        var seen: Set<String> = []
        while let keyword = rest.first {
            guard keyword == "where" || keyword == "rank", seen.insert(keyword).inserted else { return .failure(.init(usage)) }
            let clause = rest.dropFirst().prefix { ($0 != "where" || seen.contains("where")) && ($0 != "rank" || seen.contains("rank")) }
            rest = rest.dropFirst(1 + clause.count)
            guard !clause.isEmpty else { return .failure(.init("empty '\(keyword)' expression")) }
            switch ExpressionParser.parse(clause.joined(separator: " ")) {
            case .success(let expression):
                if keyword == "where" { query.requirement = expression } else { query.rank = expression }
            case .failure(let error):
                return .failure(.init("invalid \(keyword): \(error.message)"))
            }
        }
        return .success(query)
    }
}

/// Why `acquire`'s words were refused; ``message`` is the `FALSE` reply's text.
package struct MarketQueryError: Error, Equatable, Sendable {
    package let message: String
    init(_ message: String) { self.message = message }
}
