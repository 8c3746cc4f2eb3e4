import CubeZenka

/// The log lines behind `p7-log`.
actor LogKeeper {
    private var book: LogBook

    init(capacity: Int) { book = LogBook(capacity: capacity) }

    func append(_ line: String) { book.append(line) }

    func tail(_ count: Int) -> [String] { book.tail(count) }
}
