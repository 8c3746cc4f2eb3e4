@testable import CubeCore
import Testing

/// Matchmaking against a brute-force reference: random offers, random requirements and ranks
/// (built as trees, rendered to text and parsed back); the matchmaker must pick exactly what
/// evaluating every offer with an independent evaluator and sorting them all picks
/// (docs/market.md "Matchmaking").
@Suite struct MatchmakerPropertyTests {
    private struct Generator {
        var random: SplitMix64
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

        mutating func number() -> Double { Double(int(0...20)) / pick([1, 2, 4]) }
        mutating func literal() -> Expression {
            int(0...2) == 0 ? .string(pick(["eu", "us", "asia", "ssd", "hdd", "n1", "n2"])) : .number(number())
        }
        mutating func name() -> String {
            pick(["price", "region", "tier", "available", "distance", "capacity", "node", "kind", "nothing", "reputation",
                  "ended_early", "uptime"])
        }

        mutating func numeric(_ depth: Int) -> Expression {
            switch depth <= 0 ? int(0...1) : int(0...4) {
            case 0: return .name(name())
            case 1: return literal()
            case 2: return .negate(numeric(depth - 1))
            default: return .arithmetic(pick(Expression.Arithmetic.allCases), numeric(depth - 1), numeric(depth - 1))
            }
        }

        mutating func requirement(_ depth: Int) -> Expression {
            switch depth <= 0 ? int(0...1) : int(0...5) {
            case 0: return .compare(pick(Expression.Comparison.allCases), .name(name()), literal())
            case 1: return .member(.name(name()), (0..<int(1...3)).map { _ in literal() })
            case 2: return .not(requirement(depth - 1))
            case 3: return .and(requirement(depth - 1), requirement(depth - 1))
            case 4: return .or(requirement(depth - 1), requirement(depth - 1))
            default: return .compare(pick(Expression.Comparison.allCases), numeric(1), numeric(1))
            }
        }

        mutating func candidate(_ index: Int) -> MarketCandidate {
            var attributes: [String] = []
            if int(0...3) > 0 { attributes.append("price=\(ExpressionRendering.number(number()))") }
            if int(0...1) == 0 { attributes.append("region=\(pick(["eu", "us", "asia"]))") }
            if int(0...1) == 0 { attributes.append("tier=\(pick(["ssd", "hdd"]))") }
            // Some providers have a record (docs/market.md "Reputation").
            for counter in ["refused", "ended_early", "honoured"] where int(0...2) == 0 { attributes.append("\(counter)=\(int(1...3))") }
            if int(0...3) == 0 { attributes.append("uptime=\(int(0...99))") }
            let capacity = UInt64(int(1...100))
            return MarketCandidate(node: pick(["n1", "n2", "n3"]), offer: UInt64(index), kind: pick(["storage", "compute"]),
                                   capacity: capacity, available: UInt64(int(0...Int(capacity))), attributes: attributes,
                                   distance: UInt64(int(0...3)), provider: "p")
        }
    }

    /// An evaluator written apart from ``Expression/evaluate(_:)``, from the language's rules.
    private static func reference(_ expression: Expression, _ names: [String: ExpressionValue]) -> ExpressionValue {
        func number(_ e: Expression) -> Double? {
            if case .number(let value) = reference(e, names) { return value }
            return nil
        }
        func isTrue(_ e: Expression) -> Bool { reference(e, names) == .bool(true) }
        func compare(_ op: Expression.Comparison, _ a: ExpressionValue, _ b: ExpressionValue) -> Bool {
            let order: Int
            switch (a, b) {
            case (.number(let x), .number(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
            case (.string(let x), .string(let y)): order = x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1)
            case (.bool(let x), .bool(let y)) where op == .equal || op == .notEqual: order = x == y ? 0 : 1
            default: return false
            }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            case .equal: return order == 0
            case .notEqual: return order != 0
            }
        }
        switch expression {
        case .number(let value): return .number(value)
        case .string(let text): return .string(text)
        case .name(let name): return names[name] ?? .missing
        case .negate(let inner): return number(inner).map { .number(-$0) } ?? .missing
        case .arithmetic(let op, let a, let b):
            guard let x = number(a), let y = number(b) else { return .missing }
            switch op {
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .divide: return y == 0 ? .missing : .number(x / y)
            }
        case .compare(let op, let a, let b): return .bool(compare(op, reference(a, names), reference(b, names)))
        case .member(let subject, let choices):
            let value = reference(subject, names)
            return .bool(choices.contains { compare(.equal, value, reference($0, names)) })
        case .not(let inner):
            if case .bool(let value) = reference(inner, names) { return .bool(!value) }
            return .missing
        case .and(let a, let b): return .bool(isTrue(a) && isTrue(b))
        case .or(let a, let b): return .bool(isTrue(a) || isTrue(b))
        }
    }

    private static func names(of candidate: MarketCandidate) -> [String: ExpressionValue] {
        var names: [String: ExpressionValue] = ["price": .number(0)]
        for attribute in candidate.attributes {
            let parts = attribute.split(separator: "=", maxSplits: 1).map(String.init)
            names[parts[0]] = Double(parts[1]).map(ExpressionValue.number) ?? .string(parts[1])
        }
        names["kind"] = .string(candidate.kind)
        names["node"] = .string(candidate.node)
        names["provider"] = .string(candidate.provider)
        names["capacity"] = .number(Double(candidate.capacity))
        names["available"] = .number(Double(candidate.available))
        names["distance"] = .number(Double(candidate.distance))
        names["offer"] = .number(Double(candidate.offer))
        for counter in ["granted", "refused", "ended_early", "honoured"] where names[counter] == nil { names[counter] = .number(0) }
        if names["uptime"] == nil { names["uptime"] = .number(100) }
        names["reputation"] = .number(reputation(names))
        return names
    }

    /// The documented score: (honoured + 1) / (honoured + 2 × ended_early + refused + 2) × uptime / 100.
    private static func reputation(_ names: [String: ExpressionValue]) -> Double {
        func number(_ name: String) -> Double {
            if case .number(let value)? = names[name] { return value }
            return 0
        }
        let uptime = min(100, max(0, number("uptime")))
        return (number("honoured") + 1) / (number("honoured") + 2 * number("ended_early") + number("refused") + 2) * uptime / 100
    }

    @Test func theMatchmakerPicksWhatBruteForcePicks() throws {
        var generator = Generator(random: SplitMix64(seed: 20261203))
        var matched = 0
        for round in 0..<2000 {
            let candidates = (0..<generator.int(0...12)).map { generator.candidate($0) }
            let requirement = generator.int(0...4) == 0 ? nil : generator.requirement(generator.int(0...3))
            let rank = generator.int(0...2) == 0 ? nil : generator.numeric(generator.int(0...2))
            // The text form parses back to the same tree.
            for expression in [requirement, rank].compactMap({ $0 }) {
                let text = ExpressionRendering.render(expression)
                #expect(try ExpressionParser.parse(text).get() == expression, "round \(round): \(text)")
            }
            let kind = generator.pick(["storage", "compute"])
            let amount = UInt64(generator.int(1...60))
            let picked = Matchmaker.best(candidates, kind: kind, amount: amount, requirement: requirement, rank: rank)

            // Brute force: every candidate that qualifies, sorted by the documented order.
            let scored = candidates.compactMap { candidate -> (MarketCandidate, Double?)? in
                let names = Self.names(of: candidate)
                guard candidate.kind == kind, candidate.available >= amount else { return nil }
                if let requirement, Self.reference(requirement, names) != .bool(true) { return nil }
                let score = Self.reference(rank ?? .negate(.name("price")), names)
                if case .number(let value) = score, !value.isNaN { return (candidate, value) }
                return (candidate, nil)
            }
            let sorted = scored.sorted { a, b in
                switch (a.1, b.1) {
                case (.some(let x), .some(let y)) where x != y: return x > y
                case (.some, .none): return true
                case (.none, .some): return false
                default:
                    let (x, y) = (Self.reputation(Self.names(of: a.0)), Self.reputation(Self.names(of: b.0)))
                    if x != y { return x > y }
                    return (a.0.distance, a.0.node, a.0.offer) < (b.0.distance, b.0.node, b.0.offer)
                }
            }
            #expect(picked == sorted.first?.0, "round \(round)")
            if picked != nil { matched += 1 }
        }
        // The generator is not degenerate: many rounds match something, many nothing.
        #expect(matched > 200 && matched < 1800, "\(matched)")
    }

    @Test func defaultRankIsCheapestThenNearest() {
        func offer(_ id: UInt64, _ node: String, _ price: String?, distance: UInt64) -> MarketCandidate {
            MarketCandidate(node: node, offer: id, kind: "storage", capacity: 10, available: 10,
                            attributes: price.map { ["price=\($0)"] } ?? [], distance: distance, provider: node)
        }
        let offers = [offer(1, "n1", "3", distance: 0), offer(2, "n2", "1", distance: 2), offer(3, "n3", "1", distance: 1)]
        #expect(Matchmaker.best(offers, kind: "storage", amount: 5, requirement: nil, rank: nil)?.offer == 3)
        let rank = try? ExpressionParser.parse("-distance").get()
        #expect(Matchmaker.best(offers, kind: "storage", amount: 5, requirement: nil, rank: rank)?.offer == 1)
        let requirement = try? ExpressionParser.parse("node != 'n3' and price < 2").get()
        #expect(Matchmaker.best(offers, kind: "storage", amount: 5, requirement: requirement, rank: nil)?.offer == 2)
        #expect(Matchmaker.best(offers, kind: "storage", amount: 11, requirement: nil, rank: nil) == nil)
        #expect(Matchmaker.best(offers + [offer(4, "n0", nil, distance: 5)], kind: "storage", amount: 5, requirement: nil,
                                rank: nil)?.offer == 4)
    }

    @Test func acquireQueries() throws {
        let query = try AcquireQuery.parse(["storage", "1GiB", "60", "where", "price", "<", "2", "rank", "-distance"]).get()
        #expect(query.kind == "storage" && query.amount == 1 << 30 && query.ttl == "60")
        #expect(query.requirement == .compare(.less, .name("price"), .number(2)))
        #expect(query.rank == .negate(.name("distance")))
        let swapped = try AcquireQuery.parse(["storage", "5", "rank", "available", "where", "tier", "=", "'ssd'"]).get()
        #expect(swapped.ttl == nil && swapped.rank == .name("available"))
        #expect(swapped.requirement == .compare(.equal, .name("tier"), .string("ssd")))
        #expect(AcquireQuery.parse(["storage"]) == .failure(MarketQueryError(AcquireQuery.usage)))
        #expect(AcquireQuery.parse(["storage", "x"]) == .failure(MarketQueryError("invalid amount 'x'")))
        #expect(AcquireQuery.parse(["storage", "5", "where"]) == .failure(MarketQueryError("empty 'where' expression")))
        #expect(AcquireQuery.parse(["storage", "5", "60", "70"]) == .failure(MarketQueryError(AcquireQuery.usage)))
        #expect(AcquireQuery.parse(["storage", "5", "where", "a", "<"])
                == .failure(MarketQueryError("invalid where: unexpected end of expression")))
    }
}
