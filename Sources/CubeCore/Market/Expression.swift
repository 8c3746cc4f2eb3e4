/// A parsed expression of the market's tiny language (docs/market.md "Expressions"): the
/// `where` requirement and the `rank` of `acquire`, and the `require` of an offer.
///
/// Pure and total: evaluation never fails; a name without a value, or an operation on the
/// wrong types, gives ``ExpressionValue/missing``, and a comparison with a missing side is
/// false. A requirement holds only if it evaluates to `true`.
package indirect enum Expression: Equatable, Sendable {
    /// A comparison operator.
    package enum Comparison: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
    }

    /// An arithmetic operator.
    package enum Arithmetic: String, Sendable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
    }

    case number(Double)
    case string(String)
    /// An attribute of the offer (or, for `require`, of the consumer).
    case name(String)
    case negate(Expression)
    case arithmetic(Arithmetic, Expression, Expression)
    case compare(Comparison, Expression, Expression)
    /// `x in (a, b, …)`: true if `x` equals one of them.
    case member(Expression, [Expression])
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)

    /// The most bytes an expression's text may have.
    package static let maximumBytes = 1024
    /// The deepest nesting the parser follows (each parenthesis, operator or `not` is a level).
    package static let maximumDepth = 32

    /// The value of this expression, names resolved by `lookup`.
    /// - Parameter lookup: an attribute's value, or nil if there is none.
    package func evaluate(_ lookup: (String) -> ExpressionValue?) -> ExpressionValue {
        switch self {
        case .number(let value): return .number(value)
        case .string(let text): return .string(text)
        case .name(let name): return lookup(name) ?? .missing
        case .negate(let inner):
            guard case .number(let value) = inner.evaluate(lookup) else { return .missing }
            return .number(-value)
        case .arithmetic(let operation, let left, let right):
            guard case .number(let a) = left.evaluate(lookup), case .number(let b) = right.evaluate(lookup) else { return .missing }
            switch operation {
            case .add: return .number(a + b)
            case .subtract: return .number(a - b)
            case .multiply: return .number(a * b)
            case .divide: return b == 0 ? .missing : .number(a / b)
            }
        case .compare(let comparison, let left, let right):
            return .bool(Self.compare(comparison, left.evaluate(lookup), right.evaluate(lookup)))
        case .member(let subject, let choices):
            let value = subject.evaluate(lookup)
            return .bool(choices.contains { Self.compare(.equal, value, $0.evaluate(lookup)) })
        case .not(let inner):
            guard case .bool(let value) = inner.evaluate(lookup) else { return .missing }
            return .bool(!value)
        case .and(let left, let right):
            guard case .bool(let a) = left.evaluate(lookup), case .bool(let b) = right.evaluate(lookup) else { return .bool(false) }
            return .bool(a && b)
        case .or(let left, let right):
            let a = left.evaluate(lookup) == .bool(true), b = right.evaluate(lookup) == .bool(true)
            return .bool(a || b)
        }
    }

    /// True if the expression evaluates to `true` (a requirement is met).
    package func holds(_ lookup: (String) -> ExpressionValue?) -> Bool { evaluate(lookup) == .bool(true) }

    /// Numbers compare as numbers, strings as strings (byte order); anything else is false.
    static func compare(_ comparison: Comparison, _ left: ExpressionValue, _ right: ExpressionValue) -> Bool {
        switch (left, right) {
        case (.number(let a), .number(let b)): return compare(comparison, a, b)
        case (.string(let a), .string(let b)): return compare(comparison, Array(a.utf8).lexicographicallyPrecedes(b.utf8) ? -1 : a == b ? 0 : 1, 0)
        case (.bool(let a), .bool(let b)):
            return comparison == .equal ? a == b : comparison == .notEqual ? a != b : false
        default: return false
        }
    }

    private static func compare<T: Comparable>(_ comparison: Comparison, _ a: T, _ b: T) -> Bool {
        switch comparison {
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .equal: a == b
        case .notEqual: a != b
        }
    }
}
