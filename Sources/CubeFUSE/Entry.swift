/// A successful lookup: the node's attributes plus cache lifetimes.
///
/// Each ``Entry`` returned from ``FileSystem/lookup(parent:name:context:)`` counts as one kernel
/// reference; the bridge counts them and calls ``FileSystem/forget(ino:)`` when they are all gone.
package struct Entry: Sendable, Hashable {
    /// The node's attributes (``Attributes/ino`` is the entry's inode number).
    package var attributes: Attributes
    /// Seconds the kernel may cache the name-to-inode mapping.
    package var entryTimeout: Double
    /// Seconds the kernel may cache the attributes; 0 for files whose size changes.
    package var attributeTimeout: Double
    /// Generation number; bump it when an inode number is reused.
    package var generation: UInt64

    /// Creates an entry.
    /// - Parameters:
    ///   - attributes: The node's attributes.
    ///   - entryTimeout: Name cache lifetime in seconds.
    ///   - attributeTimeout: Attribute cache lifetime in seconds.
    ///   - generation: Generation number.
    package init(attributes: Attributes, entryTimeout: Double, attributeTimeout: Double, generation: UInt64 = 0) {
        self.attributes = attributes
        self.entryTimeout = entryTimeout
        self.attributeTimeout = attributeTimeout
        self.generation = generation
    }
}

/// One name in a directory listing.
package struct DirectoryEntry: Sendable, Hashable {
    /// The name (no `/`, not `.` or `..`: the bridge adds those).
    package var name: String
    /// The child's inode number.
    package var ino: UInt64
    /// The child's kind.
    package var kind: FileKind

    /// Creates a listing entry.
    /// - Parameters:
    ///   - name: The child's name.
    ///   - ino: The child's inode number.
    ///   - kind: The child's kind.
    package init(name: String, ino: UInt64, kind: FileKind) {
        self.name = name
        self.ino = ino
        self.kind = kind
    }
}

/// The result of opening a file.
package struct OpenResult: Sendable, Hashable {
    /// The file system's handle for this open; passed back to read, write, flush, poll and release.
    package var handle: UInt64
    /// Bypass the page cache: every `read(2)` reaches the file system (needed for dynamic content).
    package var directIO: Bool
    /// The file has no meaningful offset (streams); `lseek` fails with `ESPIPE`.
    package var nonSeekable: Bool
    /// Keep previously cached data (only for files whose content never changes).
    package var keepCache: Bool

    /// Creates an open result.
    /// - Parameters:
    ///   - handle: File system handle.
    ///   - directIO: Bypass the page cache.
    ///   - nonSeekable: The file is a stream.
    ///   - keepCache: Keep cached data across opens.
    package init(handle: UInt64, directIO: Bool = true, nonSeekable: Bool = false, keepCache: Bool = false) {
        self.handle = handle
        self.directIO = directIO
        self.nonSeekable = nonSeekable
        self.keepCache = keepCache
    }
}

/// The result of creating a file: its entry (one kernel reference) and the open handle.
package struct CreateResult: Sendable, Hashable {
    /// The new file's entry.
    package var entry: Entry
    /// The open handle of the new file.
    package var open: OpenResult

    /// Creates a create result.
    /// - Parameters:
    ///   - entry: The new file's entry.
    ///   - open: The open handle.
    package init(entry: Entry, open: OpenResult) {
        self.entry = entry
        self.open = open
    }
}
