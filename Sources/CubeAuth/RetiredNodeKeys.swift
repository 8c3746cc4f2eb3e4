/// The key rotations a pinned client followed (docs/security.md, "Node key rotation"): kept next
/// to the known-nodes file (`<known-nodes>.rotations`) so that, for
/// ``KeyRotation/retiredGraceSeconds`` after a proof's issued time, the client still accepts
/// the retired key from that node (a rollback, a replica not yet switched), and refuses it after.
///
/// One entry per line, `<node-name> <old-key> <new-key> <issued> <signature>` (the node name
/// as in the known-nodes file, then the statement); the latest statement per node is kept.
/// A damaged line is an error: the file is written only by the client.
package struct RetiredNodeKeys: Sendable, Equatable {
    /// Node name → the last rotation it followed.
    package private(set) var statements: [String: KeyRotation] = [:]

    /// None.
    package init() {}

    /// Parses the file's text.
    /// - Throws: ``AuthError`` of kind `.malformed` naming the first bad line.
    package init(parsing text: String) throws(AuthError) {
        for line in KeyListLines.parse(text) {
            guard line.fields.count == 5, KnownNodes.isValidName(line.fields[0]),
                  let rotation = KeyRotation(text: line.fields[1...].joined(separator: " "))
            else { throw KeyListLines.error("known-nodes rotations", line.number, "expected '<node-name> <key rotation>'") }
            statements[line.fields[0]] = rotation
        }
    }

    /// The file next to a known-nodes file.
    package static func path(besideKnownNodes knownNodes: String) -> String { knownNodes + ".rotations" }

    /// Reads the file; a missing one holds nothing.
    /// - Throws: ``AuthError`` (`.fileSystem` other than a missing file, or `.malformed`).
    package static func read(from path: String) throws(AuthError) -> RetiredNodeKeys {
        do {
            return try RetiredNodeKeys(parsing: KeyListLines.read(path, kind: "known-nodes rotations \(path)"))
        } catch {
            if FileIO.isMissingFile(error) { return RetiredNodeKeys() }
            throw error
        }
    }

    /// Records the rotation `node` was followed on (replacing an earlier one).
    /// - Precondition: `node` is a valid name (``KnownNodes/isValidName(_:)``).
    package mutating func record(node: String, _ rotation: KeyRotation) {
        precondition(KnownNodes.isValidName(node), "invalid node name")
        statements[node] = rotation
    }

    /// The rotation that lets `node` present its retired key `presented` while `pinned` is
    /// pinned at `now`; nil when there is none or its grace is over.
    package func retired(node: String, presented: PublicKey, pinned: PublicKey, now: Int64,
                        grace: Int64 = KeyRotation.retiredGraceSeconds) -> KeyRotation? {
        guard let rotation = statements[node], rotation.old == presented, rotation.new == pinned,
              rotation.verify(pinned: presented, presented: pinned, now: rotation.issued) == nil,
              now < rotation.issued.addingReportingOverflow(grace).partialValue
        else { return nil }
        return rotation
    }

    /// The file's text: a header comment, then one line per node, sorted by name.
    package var text: String {
        var text = "# protocol-7 key rotations followed: <node-name> <old-key> <new-key> <issued> <signature>\n"
        for (node, rotation) in statements.sorted(by: { $0.key < $1.key }) { text += "\(node) \(rotation.text)\n" }
        return text
    }

    /// Writes the file atomically, mode 0644.
    /// - Throws: ``AuthError`` of kind `.fileSystem`.
    package func write(to path: String) throws(AuthError) {
        try FileIO.replaceFile(path, Array(text.utf8), mode: 0o644)
    }
}
