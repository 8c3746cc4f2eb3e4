import CFuse3

#if canImport(Glibc)
    import Glibc
#endif

extension Attributes {
    /// The attributes as a C `struct stat`.
    var stat: Glibc.stat {
        var result = Glibc.stat()
        result.st_ino = ino_t(ino)
        result.st_mode = kind.typeBits | (permissions & 0o7777)
        result.st_nlink = UInt(linkCount)
        result.st_uid = uid
        result.st_gid = gid
        result.st_size = off_t(clamping: size)
        result.st_blksize = 4096
        result.st_blocks = blkcnt_t(clamping: (size + 511) / 512)
        let seconds = modified.rounded(.down)
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int((modified - seconds) * 1_000_000_000))
        result.st_mtim = time
        result.st_ctim = time
        result.st_atim = time
        return result
    }
}

extension Entry {
    /// The entry as libfuse's `fuse_entry_param`.
    var fuseParameter: fuse_entry_param {
        var param = fuse_entry_param()
        param.ino = attributes.ino
        param.generation = generation
        param.attr = attributes.stat
        param.attr_timeout = attributeTimeout
        param.entry_timeout = entryTimeout
        return param
    }
}

extension AttributeChanges {
    /// Decodes libfuse's `setattr` arguments.
    init(stat attr: UnsafeMutablePointer<Glibc.stat>?, toSet: Int32) {
        self.init()
        guard let attr else { return }
        let st = attr.pointee
        if toSet & FUSE_SET_ATTR_MODE != 0 { permissions = st.st_mode & 0o7777 }
        if toSet & FUSE_SET_ATTR_UID != 0 { uid = st.st_uid }
        if toSet & FUSE_SET_ATTR_GID != 0 { gid = st.st_gid }
        if toSet & FUSE_SET_ATTR_SIZE != 0 { size = UInt64(clamping: st.st_size) }
        if toSet & FUSE_SET_ATTR_MTIME != 0 {
            modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1_000_000_000
        }
    }
}
