/// The kind of a node, mapped to the `S_IF*` type bits.
package enum FileKind: Sendable, Hashable {
    /// A directory (`S_IFDIR`).
    case directory
    /// A regular file (`S_IFREG`).
    case regularFile
    /// A symbolic link (`S_IFLNK`).
    case symbolicLink

    var typeBits: UInt32 {
        switch self {
        case .directory: 0o040000
        case .regularFile: 0o100000
        case .symbolicLink: 0o120000
        }
    }
}

/// The attributes of one node, as `stat(2)` reports them.
package struct Attributes: Sendable, Hashable {
    /// Inode number; stable while the node exists.
    package var ino: UInt64
    /// Node kind.
    package var kind: FileKind
    /// Permission bits, e.g. `0o644` (type bits are added from ``kind``).
    package var permissions: UInt32
    /// Size in bytes; report 0 for streams and open with `directIO`.
    package var size: UInt64
    /// Link count.
    package var linkCount: UInt32
    /// Owner user id.
    package var uid: UInt32
    /// Owner group id.
    package var gid: UInt32
    /// Modification (and change/access) time in seconds since the epoch.
    package var modified: Double

    /// Creates attributes.
    /// - Parameters:
    ///   - ino: Inode number.
    ///   - kind: Node kind.
    ///   - permissions: Permission bits.
    ///   - size: Size in bytes.
    ///   - linkCount: Link count; defaults to 2 for directories and 1 otherwise.
    ///   - uid: Owner user id.
    ///   - gid: Owner group id.
    ///   - modified: Modification time in seconds since the epoch.
    package init(
        ino: UInt64, kind: FileKind, permissions: UInt32, size: UInt64 = 0, linkCount: UInt32? = nil,
        uid: UInt32 = 0, gid: UInt32 = 0, modified: Double = 0
    ) {
        self.ino = ino
        self.kind = kind
        self.permissions = permissions
        self.size = size
        self.linkCount = linkCount ?? (kind == .directory ? 2 : 1)
        self.uid = uid
        self.gid = gid
        self.modified = modified
    }
}

/// Attributes plus how long the kernel may cache them.
package struct AttributeReply: Sendable, Hashable {
    /// The attributes.
    package var attributes: Attributes
    /// Seconds the kernel may cache the attributes; use 0 for files whose size changes.
    package var timeout: Double

    /// Creates a reply.
    /// - Parameters:
    ///   - attributes: The attributes.
    ///   - timeout: Attribute cache lifetime in seconds.
    package init(attributes: Attributes, timeout: Double) {
        self.attributes = attributes
        self.timeout = timeout
    }
}

/// Changes requested by `setattr` (`chmod`, `chown`, `truncate`, `utimes`); `nil` means unchanged.
package struct AttributeChanges: Sendable, Hashable {
    /// New permission bits.
    package var permissions: UInt32?
    /// New owner.
    package var uid: UInt32?
    /// New group.
    package var gid: UInt32?
    /// New size (`truncate`, `O_TRUNC` on kernels without atomic truncate).
    package var size: UInt64?
    /// New modification time in seconds since the epoch.
    package var modified: Double?

    /// Creates a change set.
    /// - Parameters:
    ///   - permissions: New permission bits.
    ///   - uid: New owner.
    ///   - gid: New group.
    ///   - size: New size.
    ///   - modified: New modification time.
    package init(
        permissions: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil, size: UInt64? = nil,
        modified: Double? = nil
    ) {
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.size = size
        self.modified = modified
    }
}
