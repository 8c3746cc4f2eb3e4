@testable import CubeCore

/// The router's line parser and frame-header recognisers as they were before lines were read
/// in place (main 351e342, `Message+Parsing.swift` and `FrameHeader.swift`): the oracle of
/// ``InPlaceParsingTests``. Each line was an array of its own, indexed from 0; the new code
/// reads slices of the decoder's buffer, and must give the same results for every line.
enum LegacyLineReader {
    static func parseLine(_ line: [UInt8]) -> Message {
        switch splitLine(line) {
        case .failure(let error): return .invalid(error)
        case .success(nil): return .empty
        case .success(.some(let parts)):
            if parts.isTerminate { return .terminate }
            if let keyword = ReplyKeyword(token: parts.token) {
                return .reply(Reply(id: parts.id, keyword: keyword, text: parts.args.map(Array.init) ?? []))
            }
            if parts.token.contains(where: Bytes.isUpper) && !parts.token.contains(where: Bytes.isLower) {
                return .invalid(.invalidReplyType(id: parts.id))
            }
            return .command(Command(id: parts.id, path: Array(parts.token), args: parts.args.map(Array.init)))
        }
    }

    private struct LineParts {
        var id: UInt64
        var token: ArraySlice<UInt8>
        var args: ArraySlice<UInt8>?
        var isTerminate = false
    }

    private static func splitLine(_ line: [UInt8]) -> Result<LineParts?, ParseError> {
        let head: Message.LineHead
        switch Self.head(of: line) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .success(nil)
        case .success(.some(let found)): head = found
        }
        if head.isTerminate { return .success(LineParts(id: 0, token: line[head.token], isTerminate: true)) }
        guard !head.token.isEmpty else { return .failure(.mismatch(id: head.id)) }
        let index = head.token.upperBound
        let token = line[head.token]
        let rest = line[index...]
        if Bytes.isBlank(rest) { return .success(LineParts(id: head.id, token: token)) }
        guard line[index] == Wire.space else { return .failure(.mismatch(id: head.id)) }
        var argsStart = index
        while argsStart < line.count && Bytes.isBlankByte(line[argsStart]) { argsStart += 1 }
        let args = Bytes.trimTrailingBlanks(line[argsStart...])
        return .success(LineParts(id: head.id, token: token, args: args.isEmpty ? nil : args))
    }

    static func head(of line: [UInt8]) -> Result<Message.LineHead?, ParseError> {
        var index = 0
        while index < line.count && Bytes.isBlankByte(line[index]) { index += 1 }
        guard index < line.count else { return .success(nil) }
        if line[index] == UInt8(ascii: "!"), line[index...].starts(with: "!TERM!".utf8) {
            return .success(Message.LineHead(id: 0, token: index..<(index + 6), isTerminate: true))
        }
        var id: UInt64 = 0
        if line[index] == UInt8(ascii: "(") {
            guard let close = line[index...].firstIndex(of: UInt8(ascii: ")")) else {
                return .failure(.mismatch(id: 0))
            }
            let inner = line[(index + 1)..<close]
            guard (1...15).contains(inner.count), inner.allSatisfy(Bytes.isDigit) else {
                return .failure(.invalidCommandID)
            }
            id = inner.reduce(0) { $0 * 10 + UInt64($1 - 0x30) }
            index = close + 1
            while index < line.count && Bytes.isBlankByte(line[index]) { index += 1 }
        }
        let tokenStart = index
        while index < line.count && Bytes.isPathByte(line[index]) { index += 1 }
        return .success(Message.LineHead(id: id, token: tokenStart..<index))
    }

    static func isMultilineHeader(_ line: [UInt8]) -> Bool {
        guard let last = line.lastIndex(where: { !Bytes.isBlankByte($0) }), line[last] == UInt8(ascii: "+") else {
            return false
        }
        var index = 0
        while index < line.count && Bytes.isBlankByte(line[index]) { index += 1 }
        index = skipOptionalID(line, from: index)
        while index < line.count && line[index] == Wire.space { index += 1 }
        guard index < line.count, Bytes.isLowerOrDigit(line[index]) else { return false }
        while index < line.count && Bytes.isPathByte(line[index]) { index += 1 }
        guard index < line.count, line[index] == UInt8(ascii: "+") else { return false }
        return Bytes.isBlank(line[(index + 1)...])
    }

    static func bodyLength(_ line: [UInt8]) -> Int? {
        var index = 0
        while index < line.count && Bytes.isBlankByte(line[index]) { index += 1 }
        index = skipOptionalID(line, from: index)
        while index < line.count && line[index] == Wire.space { index += 1 }
        guard line.count - index >= 6, line[index] == UInt8(ascii: "S") else { return nil }
        guard ReplyKeyword(token: line[index..<(index + 4)])?.hasBody == true else { return nil }
        index += 4
        guard line[index] == Wire.space else { return nil }
        while index < line.count && line[index] == Wire.space { index += 1 }
        var value = 0
        var digits = 0
        while index < line.count, Bytes.isDigit(line[index]) {
            value = value * 10 + Int(line[index] - 0x30)
            digits += 1
            guard digits <= 12 else { return nil }
            index += 1
        }
        guard digits > 0, Bytes.isBlank(line[index...]) else { return nil }
        return value
    }

    private static func skipOptionalID(_ line: [UInt8], from index: Int) -> Int {
        guard index < line.count, line[index] == UInt8(ascii: "(") else { return index }
        var cursor = index + 1
        while cursor < line.count, Bytes.isDigit(line[cursor]) { cursor += 1 }
        guard cursor < line.count, line[cursor] == UInt8(ascii: ")"), cursor > index + 1 else { return index }
        return cursor + 1
    }
}
