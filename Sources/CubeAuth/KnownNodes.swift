/// The client's known-nodes file: the pinned identity key of each node it connects to.
///
/// One entry per line, `<node-name> <base32-public-key>`, optionally followed by a `#` comment;
/// blank and comment lines are ignored. A node name is any run of printable characters without
/// spaces, tabs or `#` (e.g. `tcp:host:7007`). ``write(to:)`` does not keep comments.
package struct KnownNodes: Sendable, Equatable {
    /// Node name → pinned key.
    package private(set) var keys: [String: PublicKey]

    /// Creates an empty list.
    package init() { keys = [:] }

    /// Parses the file's text.
    /// - Parameter text: the contents.
    /// - Throws: ``AuthError`` of kind `.malformed` naming the first bad line.
    package init(parsing text: String) throws(AuthError) {
        keys = [:]
        for line in KeyListLines.parse(text) {
            guard line.fields.count == 2, Self.isValidName(line.fields[0]) else {
                throw KeyListLines.error("known-nodes", line.number, "expected '<node-name> <public-key>'")
            }
            guard let key = PublicKey(base32: line.fields[1]) else {
                throw KeyListLines.error("known-nodes", line.number, "not a base32 public key")
            }
            guard keys[line.fields[0]] == nil else {
                throw KeyListLines.error("known-nodes", line.number, "node listed twice")
            }
            keys[line.fields[0]] = key
        }
    }

    /// Reads a known-nodes file; a missing file is an empty list (first use).
    /// - Parameter path: the file.
    /// - Throws: ``AuthError`` (`.fileSystem` other than a missing file, or `.malformed`).
    package static func read(from path: String) throws(AuthError) -> KnownNodes {
        do {
            return try KnownNodes(parsing: KeyListLines.read(path, kind: "known-nodes \(path)"))
        } catch {
            if FileIO.isMissingFile(error) { return KnownNodes() }
            throw error
        }
    }

    /// Whether `name` can be stored: non-empty, at most 255 bytes, printable ASCII or UTF-8,
    /// no space, tab, `#` or control character.
    /// - Parameter name: the node name.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255
            && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "#" }
    }

    /// Node names by key, for finding which node proved a key. A key listed under several
    /// names maps to the one that sorts first, so every user of this file agrees.
    package var nodesByKey: [PublicKey: String] {
        Dictionary(keys.map { ($0.value, $0.key) }, uniquingKeysWith: min)
    }

    /// The pinned key of a node.
    /// - Parameter node: the node name.
    /// - Returns: its key, or nil if the node is not known yet.
    package func key(for node: String) -> PublicKey? { keys[node] }

    /// Pins (or re-pins) a node's key.
    /// - Parameters:
    ///   - node: the node name; must satisfy ``isValidName(_:)``.
    ///   - key: its identity key.
    /// - Precondition: `node` is a valid name (check with ``isValidName(_:)`` first).
    package mutating func pin(node: String, key: PublicKey) {
        precondition(Self.isValidName(node), "invalid node name")
        keys[node] = key
    }

    /// The file's text: a header comment, then one line per node, sorted by name.
    package var text: String {
        var text = "# protocol-7 known nodes: <node-name> <public-key>\n"
        for (node, key) in keys.sorted(by: { $0.key < $1.key }) { text += "\(node) \(key)\n" }
        return text
    }

    /// Writes the file atomically (temporary file, then rename), mode 0644.
    /// - Parameter path: the file.
    /// - Throws: ``AuthError`` of kind `.fileSystem`.
    package func write(to path: String) throws(AuthError) {
        try FileIO.replaceFile(path, Array(text.utf8), mode: 0o644)
    }
}
