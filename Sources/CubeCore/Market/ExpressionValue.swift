/// A value in the market's expression language (docs/market.md "Expressions"): a number, a
/// string, a truth value, or missing (an attribute the offer does not have, or a type clash).
package enum ExpressionValue: Equatable, Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case missing

    /// An attribute's text as a value: a number (with an optional unit, as capacities take)
    /// if it reads as one, else a string.
    /// - Parameter text: e.g. `2`, `2.5`, `10GiB`, `eu-west`.
    package static func attribute(_ text: String) -> ExpressionValue {
        if let number = number(text) { return .number(number) }
        return .string(text)
    }

    /// `text` as a number: a decimal (`2`, `0.25`) or a whole number with a unit (`10GiB`).
    package static func number(_ text: String) -> Double? {
        if let whole = Capacity.parse(text) { return Double(whole) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts.allSatisfy({ $0.utf8.allSatisfy(Bytes.isDigit) }) else { return nil }
        return Double(text)
    }
}
