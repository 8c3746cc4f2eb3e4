import Foundation

/// A number of the ``Calculator``: an exact integer or a double.
public enum CalcNumber: Equatable, Sendable, CustomStringConvertible {
    /// An exact 64-bit integer.
    case integer(Int)
    /// A decimal value.
    case real(Double)

    /// The value as a double.
    public var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        }
    }

    /// Integers as digits; doubles with up to 15 significant digits, integral ones without a
    /// fraction (`0.1+0.2` → `0.3`, `0.5*4` → `2`).
    public var description: String {
        switch self {
        case .integer(let value):
            return String(value)
        case .real(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
            return String(format: "%.15g", value)
        }
    }

    func negated() throws(Calculator.Failure) -> CalcNumber {
        switch self {
        case .integer(let value):
            let (result, overflow) = 0.subtractingReportingOverflow(value)
            return overflow ? try Self.checked(-Double(value)) : .integer(result)
        case .real(let value): return .real(-value)
        }
    }

    /// Applies one of `+ - * / %`.
    static func apply(_ operation: Character, _ lhs: CalcNumber, _ rhs: CalcNumber) throws(Calculator.Failure) -> CalcNumber {
        if case .integer(let left) = lhs, case .integer(let right) = rhs {
            if let exact = try integer(operation, left, right) { return exact }
        }
        let left = lhs.doubleValue
        let right = rhs.doubleValue
        switch operation {
        case "+": return try checked(left + right)
        case "-": return try checked(left - right)
        case "*": return try checked(left * right)
        case "/":
            guard right != 0 else { throw .divisionByZero }
            return try checked(left / right)
        default:
            guard right != 0 else { throw .divisionByZero }
            return try checked(left.truncatingRemainder(dividingBy: right))
        }
    }

    /// The exact integer result, or nil when it needs a double (overflow, inexact division).
    private static func integer(_ operation: Character, _ left: Int, _ right: Int) throws(Calculator.Failure) -> CalcNumber? {
        let result: (partialValue: Int, overflow: Bool)
        switch operation {
        case "+": result = left.addingReportingOverflow(right)
        case "-": result = left.subtractingReportingOverflow(right)
        case "*": result = left.multipliedReportingOverflow(by: right)
        case "/":
            guard right != 0 else { throw .divisionByZero }
            let (quotient, overflow) = left.dividedReportingOverflow(by: right)
            guard !overflow, quotient * right == left else { return nil }
            result = (quotient, false)
        default:
            guard right != 0 else { throw .divisionByZero }
            result = left.remainderReportingOverflow(dividingBy: right)
        }
        return result.overflow ? nil : .integer(result.partialValue)
    }

    private static func checked(_ value: Double) throws(Calculator.Failure) -> CalcNumber {
        guard value.isFinite else { throw .outOfRange }
        return .real(value)
    }
}
