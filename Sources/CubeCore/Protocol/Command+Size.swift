extension Command {
    /// The bytes the command holds (path, arguments, multi-line headers and body), for
    /// charging a queued command to its sender's memory share (docs/security.md).
    package var byteCount: Int {
        var count = path.count + (args?.count ?? 0)
        if let multiline {
            for header in multiline.headers { count += header.key.count + header.value.count + 2 }
            for line in multiline.body { count += line.count + 1 }
        }
        return count
    }
}
