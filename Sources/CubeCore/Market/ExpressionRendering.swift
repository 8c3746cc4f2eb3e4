/// The text form of an ``Expression`` that ``ExpressionParser`` reads back to the same tree:
/// every operation in parentheses. Used for listings and the property tests.
package enum ExpressionRendering {
    /// `expression` as text.
    package static func render(_ expression: Expression) -> String {
        switch expression {
        case .number(let value): return value < 0 ? "(-\(number(-value)))" : number(value)
        case .string(let text): return text.contains("'") ? "\"\(text)\"" : "'\(text)'"
        case .name(let name): return name
        case .negate(let inner): return "(-\(render(inner)))"
        case .arithmetic(let operation, let left, let right): return "(\(render(left)) \(operation.rawValue) \(render(right)))"
        case .compare(let comparison, let left, let right): return "(\(render(left)) \(comparison.rawValue) \(render(right)))"
        case .member(let subject, let choices): return "(\(render(subject)) in (\(choices.map(render).joined(separator: ", "))))"
        case .not(let inner): return "(not \(render(inner)))"
        case .and(let left, let right): return "(\(render(left)) and \(render(right)))"
        case .or(let left, let right): return "(\(render(left)) or \(render(right)))"
        }
    }

    /// A number without a needless fraction: `2`, `0.5`.
    package static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
