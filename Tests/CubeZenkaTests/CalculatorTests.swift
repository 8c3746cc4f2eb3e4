import CubeZenka
import Testing

@Suite struct CalculatorTests {
    @Test(arguments: [
        ("2*(3+4)", "14"), ("1+2", "3"), ("1 + 2 * 3", "7"), ("(1+2)*3", "9"), ("10-4-3", "3"),
        ("2*3%4", "2"), ("7%3", "1"), ("-7%3", "-1"), ("-3", "-3"), ("--3", "3"), ("-(2+3)*2", "-10"),
        ("+5", "5"), ("8/4/2", "1"), ("1/4", "0.25"), ("1/3", "0.333333333333333"), ("0.1+0.2", "0.3"),
        ("0.5*4", "2"), (".5+1", "1.5"), ("2.5%1", "0.5"), (" 1\t+ 1 ", "2"), ("((((42))))", "42"),
        ("9223372036854775807+1", "9.22337203685478e+18"), ("-9223372036854775807-1", "-9223372036854775808"),
    ])
    func evaluates(_ expression: String, _ expected: String) throws {
        #expect(try Calculator.evaluateText(expression) == expected)
    }

    @Test func keepsExactIntegers() throws {
        #expect(try Calculator.evaluate("6/3") == .integer(2))
        #expect(try Calculator.evaluate("7/2") == .real(3.5))
        #expect(try Calculator.evaluate("123456789*1000") == .integer(123_456_789_000))
    }

    @Test(arguments: [
        ("1/0", "division by zero"), ("1%0", "division by zero"), ("1.5/0", "division by zero"),
        ("1/(2-2)", "division by zero"), ("", "empty expression"), ("   ", "empty expression"),
        ("1+x", "unexpected 'x' at 3"), ("abc", "unexpected 'a' at 1"), ("1+", "unexpected end of expression"),
        ("(1+2", "missing ')' for '(' at 1"), ("1+2)", "unexpected ')' at 4"), ("1 2", "unexpected '2' at 3"),
        ("1..2", "unexpected '.' at 3"), ("*3", "unexpected '*' at 1"), ("()", "unexpected ')' at 2"),
        ("2^3", "unexpected '^' at 2"), ("1e5", "unexpected 'e' at 2"), (".", "unexpected '.' at 1"),
    ])
    func rejects(_ expression: String, _ reason: String) {
        #expect(throws: Calculator.Failure.self) { try Calculator.evaluate(expression) }
        do {
            _ = try Calculator.evaluate(expression)
        } catch {
            #expect(error.description == reason)
        }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(throws: Calculator.Failure.tooDeep) { try Calculator.evaluate(deep) }
        let minus = String(repeating: "-", count: 100_000) + "1"
        #expect(throws: Calculator.Failure.tooDeep) { try Calculator.evaluate(minus) }
    }

    @Test func reportsOverflowToInfinity() {
        let huge = String(repeating: "9", count: 400)
        #expect(throws: Calculator.Failure.outOfRange) { try Calculator.evaluate(huge) }
    }
}
