/// The recursive-descent parser behind ``Calculator`` (evaluates while parsing).
struct CalcParser {
    private let characters: [Character]
    private var index = 0
    private var depth = 0

    init(_ characters: [Character]) { self.characters = characters }

    /// Parses the whole input as one expression.
    mutating func parseAll() throws(Calculator.Failure) -> CalcNumber {
        skipBlanks()
        guard index < characters.count else { throw .empty }
        let value = try expression()
        skipBlanks()
        if index < characters.count { throw unexpected() }
        return value
    }

    private mutating func expression() throws(Calculator.Failure) -> CalcNumber {
        var value = try term()
        while let operation = peek(), operation == "+" || operation == "-" {
            index += 1
            value = try CalcNumber.apply(operation, value, try term())
        }
        return value
    }

    private mutating func term() throws(Calculator.Failure) -> CalcNumber {
        var value = try unary()
        while let operation = peek(), operation == "*" || operation == "/" || operation == "%" {
            index += 1
            value = try CalcNumber.apply(operation, value, try unary())
        }
        return value
    }

    private mutating func unary() throws(Calculator.Failure) -> CalcNumber {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Calculator.maximumDepth else { throw .tooDeep }
        switch peek() {
        case "-":
            index += 1
            return try unary().negated()
        case "+":
            index += 1
            return try unary()
        default:
            return try primary()
        }
    }

    private mutating func primary() throws(Calculator.Failure) -> CalcNumber {
        guard let next = peek() else { throw .unexpectedEnd }
        if next == "(" {
            let open = index + 1
            index += 1
            let value = try expression()
            guard let close = peek() else { throw .unclosedParenthesis(at: open) }
            guard close == ")" else { throw unexpected() }
            index += 1
            return value
        }
        guard next.isASCII, next.isNumber || next == "." else { throw unexpected() }
        return try number()
    }

    private mutating func number() throws(Calculator.Failure) -> CalcNumber {
        let start = index
        var sawDot = false
        while index < characters.count {
            let character = characters[index]
            if character == "." {
                guard !sawDot else { throw unexpected() }
                sawDot = true
            } else if !(character.isASCII && character.isNumber) {
                break
            }
            index += 1
        }
        let text = String(characters[start..<index])
        guard text != "." else {
            index = start
            throw unexpected()
        }
        if !sawDot, let integer = Int(text) { return .integer(integer) }
        guard let real = Double(text), real.isFinite else { throw .outOfRange }
        return .real(real)
    }

    /// The next non-blank character, if any (skips blanks first).
    private mutating func peek() -> Character? {
        skipBlanks()
        return index < characters.count ? characters[index] : nil
    }

    private mutating func skipBlanks() {
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
    }

    /// The failure for the character at the cursor (or the end).
    private func unexpected() -> Calculator.Failure {
        index < characters.count ? .unexpected(characters[index], at: index + 1) : .unexpectedEnd
    }
}
