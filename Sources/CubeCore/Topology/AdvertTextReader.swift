/// Walks the lines of an advert's text form in field order (see ``LinkStateAdvert/render()``).
struct AdvertTextReader {
    private let lines: [ArraySlice<UInt8>]
    private var index = 0

    /// Splits `bytes` into lines; nil unless every line ends in LF, is at most
    /// ``LinkStateAdvert/maximumLineBytes`` long and holds only printable ASCII.
    init?(_ bytes: [UInt8]) {
        guard bytes.last == UInt8(ascii: "\n") else { return nil }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (position, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            guard position + 1 - start <= LinkStateAdvert.maximumLineBytes else { return nil }
            lines.append(bytes[start..<position])
            start = position + 1
        }
        guard lines.allSatisfy({ $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) else { return nil }
        self.lines = lines
    }

    /// True once every line was consumed.
    var isAtEnd: Bool { index == lines.count }

    /// The value of the next line if it is `field: value`, consuming it; nil otherwise.
    mutating func single(_ field: AdvertField) -> String? {
        guard index < lines.count, let value = Self.value(of: lines[index], field: field) else { return nil }
        index += 1
        return value
    }

    /// The parsed values of the run of `field` lines starting here; nil if one does not parse
    /// or there are more than `limit`.
    mutating func repeated<Value>(_ field: AdvertField, limit: Int, _ parse: (String) -> Value?) -> [Value]? {
        var values: [Value] = []
        while index < lines.count, let text = Self.value(of: lines[index], field: field) {
            guard values.count < limit, let value = parse(text) else { return nil }
            values.append(value)
            index += 1
        }
        return values
    }

    /// The text after `field: ` on `line`, which must be non-empty and free of leading or
    /// trailing spaces.
    private static func value(of line: ArraySlice<UInt8>, field: AdvertField) -> String? {
        let prefix = Array("\(field.rawValue): ".utf8)
        guard line.starts(with: prefix) else { return nil }
        let value = line.dropFirst(prefix.count)
        guard let first = value.first, let last = value.last, first != 0x20, last != 0x20 else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// A canonical unsigned decimal (`0`, or digits without a leading zero) that fits 64 bits.
    static func decimal(_ text: some StringProtocol) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy(Bytes.isDigit), text == "0" || !text.hasPrefix("0")
        else { return nil }
        return UInt64(text)
    }

    /// `<name> <cost>`.
    static func neighbour(_ text: String) -> AdvertNeighbour? {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 2, let cost = decimal(words[1]).flatMap(UInt32.init(exactly:)) else { return nil }
        return AdvertNeighbour(String(words[0]), cost: cost)
    }

    /// `<id> <kind> <capacity> <available> [key=value…]`.
    static func offer(_ text: String) -> AdvertOffer? {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 4, let id = decimal(words[0]), let capacity = decimal(words[2]),
              let available = decimal(words[3])
        else { return nil }
        return AdvertOffer(id: id, kind: String(words[1]), capacity: capacity, available: available,
                           attributes: words.dropFirst(4).map(String.init))
    }

    /// `<zenka> <instances> <outstanding>`.
    static func load(_ text: String) -> AdvertLoad? {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, let instances = decimal(words[1]).flatMap(UInt32.init(exactly:)),
              let outstanding = decimal(words[2]).flatMap(UInt32.init(exactly:))
        else { return nil }
        return AdvertLoad(name: String(words[0]), instances: instances, outstanding: outstanding)
    }
}
