/// Reads the market's expression language (docs/market.md "Expressions"):
///
///     or    := and ('or' and)*
///     and   := not ('and' not)*
///     not   := 'not' not | cmp
///     cmp   := sum (('<'|'<='|'>'|'>='|'=='|'='|'!=') sum | 'in' '(' sum (',' sum)* ')')?
///     sum   := prod (('+'|'-') prod)*
///     prod  := neg (('*'|'/') neg)*
///     neg   := '-' neg | atom
///     atom  := number | string | name | '(' or ')'
///
/// Numbers are decimals (`2`, `0.5`) or whole numbers with a capacity unit (`10GiB`); strings
/// are quoted with `'` or `"` (no escapes); names are `[A-Za-z_][A-Za-z0-9_]*`. Bounded by
/// ``Expression/maximumBytes`` and ``Expression/maximumDepth``.
package struct ExpressionParser {
    enum Token: Equatable {
        case number(Double), string(String), name(String), symbol(String), end
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    private var depth = 0

    /// Parses `text` completely.
    /// - Returns: the expression, or the reason it is not one (e.g. `unexpected ')' at 7`).
    package static func parse(_ text: String) -> Result<Expression, ExpressionError> {
        guard text.utf8.count <= Expression.maximumBytes else { return .failure(.init("expression longer than \(Expression.maximumBytes) bytes")) }
        var parser = ExpressionParser()
        do throws(ExpressionError) {
            parser.tokens = try tokenize(Array(text.utf8))
            let expression = try parser.disjunction()
            guard parser.peek == .end else { throw parser.unexpected() }
            return .success(expression)
        } catch {
            return .failure(error)
        }
    }

    private var peek: Token { tokens[position].token }

    private mutating func advance() -> Token {
        let token = tokens[position].token
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func take(_ symbol: String) -> Bool {
        guard peek == .symbol(symbol) || peek == .name(symbol) else { return false }
        _ = advance()
        return true
    }

    private func unexpected() -> ExpressionError {
        let (token, offset) = tokens[position]
        switch token {
        case .end: return ExpressionError("unexpected end of expression")
        case .number(let value): return ExpressionError("unexpected '\(ExpressionRendering.number(value))' at \(offset + 1)")
        case .string(let text): return ExpressionError("unexpected '\(text)' at \(offset + 1)")
        case .name(let text), .symbol(let text): return ExpressionError("unexpected '\(text)' at \(offset + 1)")
        }
    }

    /// One level deeper (a parenthesis, `not` or `-`); the caller calls ``leave()`` after.
    private mutating func enter() throws(ExpressionError) {
        depth += 1
        guard depth <= Expression.maximumDepth else { throw ExpressionError("expression nested deeper than \(Expression.maximumDepth)") }
    }

    private mutating func leave() { depth -= 1 }

    private mutating func disjunction() throws(ExpressionError) -> Expression {
        var left = try conjunction()
        while take("or") { left = .or(left, try conjunction()) }
        return left
    }

    private mutating func conjunction() throws(ExpressionError) -> Expression {
        var left = try negation()
        while take("and") { left = .and(left, try negation()) }
        return left
    }

    private mutating func negation() throws(ExpressionError) -> Expression {
        if take("not") {
            try enter()
            defer { leave() }
            return .not(try negation())
        }
        return try comparison()
    }

    private mutating func comparison() throws(ExpressionError) -> Expression {
        let left = try sum()
        if case .symbol(let symbol) = peek, let comparison = Expression.Comparison(rawValue: symbol == "=" ? "==" : symbol) {
            _ = advance()
            return .compare(comparison, left, try sum())
        }
        guard take("in") else { return left }
        guard take("(") else { throw unexpected() }
        var choices = [try sum()]
        while take(",") { choices.append(try sum()) }
        guard take(")") else { throw unexpected() }
        return .member(left, choices)
    }

    private mutating func sum() throws(ExpressionError) -> Expression {
        var left = try product()
        while case .symbol(let symbol) = peek, symbol == "+" || symbol == "-", let operation = Expression.Arithmetic(rawValue: symbol) {
            _ = advance()
            left = .arithmetic(operation, left, try product())
        }
        return left
    }

    private mutating func product() throws(ExpressionError) -> Expression {
        var left = try negative()
        while case .symbol(let symbol) = peek, symbol == "*" || symbol == "/", let operation = Expression.Arithmetic(rawValue: symbol) {
            _ = advance()
            left = .arithmetic(operation, left, try negative())
        }
        return left
    }

    private mutating func negative() throws(ExpressionError) -> Expression {
        if take("-") {
            try enter()
            defer { leave() }
            return .negate(try negative())
        }
        return try atom()
    }

    private mutating func atom() throws(ExpressionError) -> Expression {
        switch peek {
        case .number(let value):
            _ = advance()
            return .number(value)
        case .string(let text):
            _ = advance()
            return .string(text)
        case .name(let name) where !["and", "or", "not", "in"].contains(name):
            _ = advance()
            return .name(name)
        case .symbol("("):
            _ = advance()
            try enter()
            defer { leave() }
            let inner = try disjunction()
            guard take(")") else { throw unexpected() }
            return inner
        default:
            throw unexpected()
        }
    }

    private static func tokenize(_ bytes: [UInt8]) throws(ExpressionError) -> [(token: Token, offset: Int)] {
        var tokens: [(token: Token, offset: Int)] = []
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool { byte == 0x5F || Bytes.isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) }
        while index < bytes.count {
            let byte = bytes[index], start = index
            if byte == 0x20 || byte == 0x09 {
                index += 1
            } else if Bytes.isDigit(byte) {
                while index < bytes.count, Bytes.isDigit(bytes[index]) || bytes[index] == 0x2E || isNameByte(bytes[index]) { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                guard let value = ExpressionValue.number(text) else { throw ExpressionError("invalid number '\(text)' at \(start + 1)") }
                tokens.append((.number(value), start))
            } else if isNameByte(byte) {
                while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
                tokens.append((.name(String(decoding: bytes[start..<index], as: UTF8.self)), start))
            } else if byte == 0x27 || byte == 0x22 {
                index += 1
                while index < bytes.count, bytes[index] != byte { index += 1 }
                guard index < bytes.count else { throw ExpressionError("unterminated string at \(start + 1)") }
                tokens.append((.string(String(decoding: bytes[(start + 1)..<index], as: UTF8.self)), start))
                index += 1
            } else {
                let pair = index + 1 < bytes.count ? String(decoding: bytes[index...(index + 1)], as: UTF8.self) : ""
                if ["<=", ">=", "==", "!="].contains(pair) {
                    tokens.append((.symbol(pair), start))
                    index += 2
                } else if Array("<>=+-*/(),".utf8).contains(byte) {
                    tokens.append((.symbol(String(UnicodeScalar(byte))), start))
                    index += 1
                } else {
                    throw ExpressionError("unexpected '\(String(decoding: bytes[index...index], as: UTF8.self))' at \(start + 1)")
                }
            }
        }
        tokens.append((.end, bytes.count))
        return tokens
    }
}

/// Why a text is not an expression; ``message`` is the `FALSE` reply's text.
package struct ExpressionError: Error, Equatable, Sendable {
    package let message: String
    init(_ message: String) { self.message = message }
}
