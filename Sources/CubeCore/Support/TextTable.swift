/// Renders aligned plain-text tables for `SIZE` replies (`list`, `commands`).
package struct TextTable: Sendable {
    package var headers: [String]
    package var rows: [[String]] = []

    package init(headers: [String]) { self.headers = headers }

    package mutating func append(_ row: [String]) { rows.append(row) }

    /// The table: a header line, a rule, one line per row; every line ends in LF.
    package func render() -> String {
        var widths = headers.map(\.utf8.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.utf8.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let padding = index == cells.count - 1 ? 0 : widths[index] - cell.utf8.count + 3
                text += cell + String(repeating: " ", count: max(0, padding))
            }
            return text + "\n"
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 3 * (widths.count - 1)) + "\n"
        return line(headers) + rule + rows.map(line).joined()
    }
}

/// Formats times and durations for tables and replies without Foundation.
package enum TimeText {
    /// `HH:MM:SS` of a wall-clock time shifted by `offset` seconds.
    package static func clock(_ wall: Int64, offset: Int) -> String {
        let seconds = ((wall + Int64(offset)) % 86_400 + 86_400) % 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// A short duration: `0.42s`, `12.3s`, `5m07s`, `2h03m`, `3d04h`.
    package static func duration(nanoseconds: UInt64) -> String {
        let centis = nanoseconds / 10_000_000
        let seconds = nanoseconds / 1_000_000_000
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if seconds < 60 { return "\(centis / 100).\(two(centis % 100))s" }
        if seconds < 3600 { return "\(seconds / 60)m\(two(seconds % 60))s" }
        if seconds < 86_400 { return "\(seconds / 3600)h\(two(seconds / 60 % 60))m" }
        return "\(seconds / 86_400)d\(two(seconds / 3600 % 24))h"
    }
}
