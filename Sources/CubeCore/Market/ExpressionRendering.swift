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

    /// A number without a needless fraction and without an exponent: `2`, `0.5`, `0.00001`.
    /// The parser reads no exponent: `1e-05` was listed, and refused when read back (a
    /// restored offer lost its requirement; a hostile user's finding).
    package static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return plain(String(value))
    }

    /// Swift's shortest form of a double (`1.5e-07`, `1e+16`) as plain digits.
    private static func plain(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...])
        else { return text }
        let mantissa = text[..<e]
        let negative = mantissa.hasPrefix("-")
        let unsigned = negative ? mantissa.dropFirst() : mantissa[...]
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts.first ?? "0"), fraction = parts.count > 1 ? String(parts[1]) : ""
        let digits = whole + fraction
        let point = whole.count + exponent  // digits before the decimal point
        var result: String
        if point <= 0 {
            result = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            result = digits + String(repeating: "0", count: point - digits.count)
        } else {
            result = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        // No leading zeros before the point but one, no trailing zeros after it.
        while result.hasPrefix("0"), result.count > 1, !result.hasPrefix("0.") { result.removeFirst() }
        if result.contains(".") {
            while result.hasSuffix("0") { result.removeLast() }
            if result.hasSuffix(".") { result.removeLast() }
        }
        return (negative ? "-" : "") + result
    }
}
