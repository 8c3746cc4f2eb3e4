extension Command {
    /// The bytes the command holds (path, arguments, multi-line headers and body), for
    /// charging a queued command to its sender's memory share (docs/security.md).
    package var byteCount: Int {
        Self.byteCount(path: path.count, args: args?.count ?? 0, multiline: multiline)
    }

    /// ``byteCount`` from the sizes of a command's parts (``CommandView`` counts the same).
    static func byteCount(path: Int, args: Int, multiline: Multiline?) -> Int {
        var count = path + args
        if let multiline {
            for header in multiline.headers { count += header.key.count + header.value.count + 2 }
            for line in multiline.body { count += line.count + 1 }
        }
        return count
    }
}
