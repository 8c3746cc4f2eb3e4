@testable import CubeCore
import Testing

/// The market's expression language: parsing, errors and bounds, evaluation
/// (docs/market.md "Expressions").
@Suite struct ExpressionTests {
    private func value(_ text: String, _ names: [String: ExpressionValue] = [:]) -> ExpressionValue {
        switch ExpressionParser.parse(text) {
        case .success(let expression): return expression.evaluate { names[$0] }
        case .failure(let error): return .string("error: \(error.message)")
        }
    }

    private func error(_ text: String) -> String? {
        if case .failure(let error) = ExpressionParser.parse(text) { return error.message }
        return nil
    }

    @Test func precedenceAndTypes() {
        #expect(value("1 + 2 * 3") == .number(7))
        #expect(value("(1 + 2) * 3") == .number(9))
        #expect(value("-2 - -3") == .number(1))
        #expect(value("10 / 4") == .number(2.5))
        #expect(value("1 / 0") == .missing)
        #expect(value("2GiB > 2000MiB") == .bool(true))
        #expect(value("1k = 1000") == .bool(true))
        #expect(value("price <= 2.5 and region == 'eu'", ["price": .number(2), "region": .string("eu")]) == .bool(true))
        #expect(value("price < 1 or not region != \"eu\"", ["price": .number(2), "region": .string("eu")]) == .bool(true))
        #expect(value("user in ('a', 'b', 'c')", ["user": .string("b")]) == .bool(true))
        #expect(value("user in ('a')", ["user": .string("b")]) == .bool(false))
        // Missing names and type clashes are never true.
        #expect(value("nothing < 5") == .bool(false))
        #expect(value("nothing >= 5") == .bool(false))
        #expect(value("'a' < 5") == .bool(false))
        #expect(value("not nothing") == .missing)
        #expect(value("'abc' < 'abd'") == .bool(true))
        #expect(value("1 < 2 and 3") == .bool(false))
    }

    /// Numbers are listed without an exponent, so a listing reads back (`ttl > 0.00001` was
    /// listed as `(ttl > 1e-05)`, which the parser refuses, and a restart lost the requirement).
    @Test func numbersAreRenderedSoTheyReadBack() throws {
        let cases: [(Double, String)] = [(0.00001, "0.00001"), (1.5e-7, "0.00000015"), (2.5, "2.5"), (1e16, "10000000000000000"),
                                         (1.25e17, "125000000000000000"), (-0.0003, "-0.0003"), (7, "7"), (123.456, "123.456")]
        for (number, text) in cases {
            #expect(ExpressionRendering.number(number) == text, "\(number)")
        }
        for text in ["ttl > 0.00001", "price < 0.000000015", "size >= 10000000000000000"] {
            let parsed = try ExpressionParser.parse(text).get()
            let again = try ExpressionParser.parse(ExpressionRendering.render(parsed)).get()
            #expect(again == parsed, "\(ExpressionRendering.render(parsed))")
        }
    }

    @Test func errorsSayWhere() {
        #expect(error("") == "unexpected end of expression")
        #expect(error("price <") == "unexpected end of expression")
        #expect(error("price < 5)") == "unexpected ')' at 10")
        #expect(error("(price < 5") == "unexpected end of expression")
        #expect(error("price ~ 5") == "unexpected '~' at 7")
        #expect(error("'open") == "unterminated string at 1")
        #expect(error("12XB") == "invalid number '12XB' at 1")
        #expect(error("a in 1") == "unexpected '1' at 6")
        #expect(error("and") == "unexpected 'and' at 1")
        #expect(error(String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40))
                == "expression nested deeper than 32")
        #expect(error(String(repeating: "-", count: 40) + "1") == "expression nested deeper than 32")
        #expect(error(String(repeating: "1+", count: 600) + "1") == "expression longer than 1024 bytes")
        // Long flat chains are fine within the byte bound.
        #expect(value(String(repeating: "1+", count: 500) + "1") == .number(501))
    }
}
