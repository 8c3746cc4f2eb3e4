extension KeyCertificate {
    /// Reads a certificate file: its first line that is not blank or a `#` comment is the
    /// one-line certificate (what `set-client-key` answers or `cube cert sign` prints).
    /// - Parameter path: the file.
    /// - Returns: the parsed certificate (its signature is checked by the cube, not here).
    /// - Throws: ``AuthError`` (`.fileSystem`, or `.malformed` for a file without a certificate).
    package static func read(from path: String) throws(AuthError) -> KeyCertificate {
        let text = try KeyListLines.read(path, kind: "certificate \(path)")
        let line = text.split(separator: "\n").lazy
            .map { $0.trimmingSuffix(" \t\r") }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line, let certificate = KeyCertificate(text: String(line)) else {
            throw AuthError(.malformed, function: "certificate \(path)",
                            detail: "expected '<name> <key> <expires> <signer> <signature>' on its first line")
        }
        return certificate
    }
}

extension Substring {
    /// The text without trailing characters from `set`.
    fileprivate func trimmingSuffix(_ set: String) -> Substring {
        var end = endIndex
        while end > startIndex, set.contains(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end].drop { set.contains($0) }
    }
}
