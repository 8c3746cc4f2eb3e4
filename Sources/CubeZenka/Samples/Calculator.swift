import Foundation

/// The arithmetic of the sample zenka `calc`: a pure parser and evaluator.
///
/// Grammar: `expr = term (("+"|"-") term)*`, `term = unary (("*"|"/"|"%") unary)*`,
/// `unary = ("-"|"+") unary | primary`, `primary = number | "(" expr ")"`; numbers are
/// integers or decimals (`12`, `0.5`, `.5`); blanks are ignored. Integers stay exact while they
/// fit in 64 bits and divisions are exact; everything else is computed in `Double`.
public enum Calculator {
    /// Why an expression cannot be evaluated; ``description`` is the text of the `FALSE` reply.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Nothing to evaluate.
        case empty
        /// A character that does not fit, and its 1-based position.
        case unexpected(Character, at: Int)
        /// The expression ended where more was needed.
        case unexpectedEnd
        /// An opening parenthesis at this 1-based position was never closed.
        case unclosedParenthesis(at: Int)
        /// Division or remainder by zero.
        case divisionByZero
        /// A result that is infinite or not a number.
        case outOfRange
        /// Parentheses nested deeper than ``Calculator/maximumDepth``.
        case tooDeep

        /// The reason, e.g. `unexpected 'x' at 3`.
        public var description: String {
            switch self {
            case .empty: "empty expression"
            case .unexpected(let character, let position): "unexpected '\(character)' at \(position)"
            case .unexpectedEnd: "unexpected end of expression"
            case .unclosedParenthesis(let position): "missing ')' for '(' at \(position)"
            case .divisionByZero: "division by zero"
            case .outOfRange: "result out of range"
            case .tooDeep: "expression nested too deeply"
            }
        }
    }

    /// The deepest nesting of parentheses and unary signs accepted.
    public static let maximumDepth = 200

    /// Evaluates `expression`.
    /// - Parameter expression: e.g. `2*(3+4)`.
    /// - Returns: the value.
    /// - Throws: a ``Failure``.
    public static func evaluate(_ expression: String) throws(Failure) -> CalcNumber {
        var parser = CalcParser(Array(expression))
        return try parser.parseAll()
    }

    /// Evaluates `expression` and formats the result as the `calc` zenka answers it.
    /// - Parameter expression: e.g. `1/4`.
    /// - Returns: e.g. `0.25`.
    /// - Throws: a ``Failure``.
    public static func evaluateText(_ expression: String) throws(Failure) -> String {
        try evaluate(expression).description
    }
}
