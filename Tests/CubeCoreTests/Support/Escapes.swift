/// The escapes of transcript files.
enum Escapes {
    /// Decodes `\n \r \t \\ \xNN \{N text}` and `⏎` into bytes.
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "⏎" {
                out.append(0x0A)
            } else if scalar == "\\", index + 1 < scalars.count {
                index += 1
                switch scalars[index] {
                case "n": out.append(0x0A)
                case "r": out.append(0x0D)
                case "t": out.append(0x09)
                case "0": out.append(0x00)
                case "{":
                    // `\{N text}`: `text` repeated N times, for long input (`⏎` and the escapes
                    // above work inside; `text` cannot hold `}`).
                    guard let close = scalars[index...].firstIndex(of: "}"),
                          let space = scalars[index..<close].firstIndex(of: " "),
                          let count = Int(String(String.UnicodeScalarView(scalars[(index + 1)..<space])))
                    else { out.append(contentsOf: "{".utf8); break }
                    let unit = decode(String(String.UnicodeScalarView(scalars[(space + 1)..<close])))
                    for _ in 0..<count { out.append(contentsOf: unit) }
                    index = close
                case "x":
                    let hex = String(String.UnicodeScalarView(scalars[(index + 1)..<min(index + 3, scalars.count)]))
                    out.append(UInt8(hex, radix: 16) ?? 0)
                    index += 2
                default: out.append(contentsOf: String(scalars[index]).utf8)
                }
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
            index += 1
        }
        return out
    }

    /// Shows bytes with the same escapes, for failure messages.
    static func show(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x09: text += "\\t"
            case 0x5C: text += "\\\\"
            case 0x20...0x7E: text.append(Character(UnicodeScalar(byte)))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return "'" + text + "'"
    }
}
