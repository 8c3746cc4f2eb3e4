import CFuse3

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the `fuse_lowlevel_ops` table: C function pointers that capture nothing and find the
/// ``Bridge`` through `fuse_req_userdata` (set by `fuse_session_new`).
///
/// This is a plain non-isolated function on purpose: closures written in main-actor code would be
/// inferred main-actor isolated and then silently run on the FUSE thread.
enum Operations {
    static func table() -> fuse_lowlevel_ops {
        var ops = fuse_lowlevel_ops()
        installLifecycle(&ops)
        installNames(&ops)
        installFiles(&ops)
        installUnsupported(&ops)
        return ops
    }

    /// Recovers the bridge, or answers `EIO` when a request somehow has none.
    fileprivate static func bridge(_ req: fuse_req_t?) -> (Bridge, OpaquePointer)? {
        guard let req else { return nil }
        guard let data = fuse_req_userdata(req) else {
            _ = fuse_reply_err(req, Errno.ioError.rawValue)
            return nil
        }
        return (Unmanaged<Bridge>.fromOpaque(data).takeUnretainedValue(), req)
    }

    private static func installLifecycle(_ ops: inout fuse_lowlevel_ops) {
        ops.`init` = { data, connection in
            // Pinned rather than left to libfuse's default (its buffer size, 1 MiB with 4 KiB
            // pages), so that a request source knows the read size the kernel demands.
            if let connection, connection.pointee.max_write > FUSEMount.maxWrite {
                connection.pointee.max_write = FUSEMount.maxWrite
            }
            guard let data else { return }
            Unmanaged<Bridge>.fromOpaque(data).takeUnretainedValue().markInitialized()
        }
        ops.forget = { req, ino, count in
            if let (bridge, _) = Operations.bridge(req) { bridge.forget(ino, count: count) }
            fuse_reply_none(req)
        }
        ops.forget_multi = { req, count, forgets in
            if let (bridge, _) = Operations.bridge(req), let forgets {
                for item in UnsafeBufferPointer(start: forgets, count: count) {
                    bridge.forget(item.ino, count: item.nlookup)
                }
            }
            fuse_reply_none(req)
        }
    }

    private static func installNames(_ ops: inout fuse_lowlevel_ops) {
        ops.lookup = { req, parent, name in
            guard let (bridge, raw) = Operations.bridge(req), let name else { return }
            bridge.lookup(raw, parent: parent, name: String(cString: name))
        }
        ops.getattr = { req, ino, _ in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            bridge.getattr(raw, ino: ino)
        }
        ops.setattr = { req, ino, attr, toSet, info in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            let changes = AttributeChanges(stat: attr, toSet: toSet)
            bridge.setattr(raw, ino: ino, changes: changes, handle: info?.pointee.fh)
        }
        ops.unlink = { req, parent, name in
            guard let (bridge, raw) = Operations.bridge(req), let name else { return }
            bridge.unlink(raw, parent: parent, name: String(cString: name))
        }
        ops.rmdir = { req, parent, name in
            guard let (bridge, raw) = Operations.bridge(req), let name else { return }
            bridge.rmdir(raw, parent: parent, name: String(cString: name))
        }
        ops.mkdir = { req, parent, name, mode in
            guard let (bridge, raw) = Operations.bridge(req), let name else { return }
            bridge.mkdir(raw, parent: parent, name: String(cString: name), mode: mode)
        }
        ops.rename = { req, parent, name, newParent, newName, _ in
            guard let (bridge, raw) = Operations.bridge(req), let name, let newName else { return }
            bridge.rename(
                raw, parent: parent, name: String(cString: name), newParent: newParent,
                newName: String(cString: newName))
        }
        ops.opendir = { req, ino, info in
            guard let (bridge, raw) = Operations.bridge(req), let info else { return }
            bridge.opendir(raw, ino: ino, info: info)
        }
        ops.readdir = { req, _, size, offset, info in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            bridge.readdir(raw, handle: info?.pointee.fh ?? 0, size: size, offset: Int64(offset))
        }
        ops.releasedir = { req, _, info in
            if let (bridge, _) = Operations.bridge(req) { bridge.releasedir(handle: info?.pointee.fh ?? 0) }
            _ = fuse_reply_err(req, 0)
        }
    }

    private static func installFiles(_ ops: inout fuse_lowlevel_ops) {
        ops.open = { req, ino, info in
            guard let (bridge, raw) = Operations.bridge(req), let info else { return }
            bridge.open(raw, ino: ino, info: info)
        }
        ops.create = { req, parent, name, mode, info in
            guard let (bridge, raw) = Operations.bridge(req), let name, let info else { return }
            bridge.create(raw, parent: parent, name: String(cString: name), mode: mode, info: info)
        }
        ops.read = { req, ino, size, offset, info in
            guard let (bridge, raw) = Operations.bridge(req), let info else { return }
            bridge.read(raw, ino: ino, size: size, offset: Int64(offset), info: info)
        }
        ops.write = { req, ino, buffer, size, offset, info in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            let bytes = buffer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            bridge.write(raw, ino: ino, bytes: bytes, offset: Int64(offset), handle: info?.pointee.fh ?? 0)
        }
        ops.flush = { req, ino, info in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            bridge.flush(raw, ino: ino, handle: info?.pointee.fh ?? 0)
        }
        ops.release = { req, ino, info in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            bridge.release(raw, ino: ino, handle: info?.pointee.fh ?? 0, flags: info?.pointee.flags ?? 0)
        }
        ops.poll = { req, ino, info, pollHandle in
            guard let (bridge, raw) = Operations.bridge(req) else { return }
            bridge.poll(
                raw, ino: ino, handle: info?.pointee.fh ?? 0, events: info?.pointee.poll_events ?? 0,
                pollHandle: pollHandle)
        }
    }

    /// Operations with no ``FileSystem`` counterpart: one place replies `ENOSYS` (logged once per kind).
    /// `ENOSYS` also tells the kernel not to ask again for xattrs, fsync, access and friends.
    private static func installUnsupported(_ ops: inout fuse_lowlevel_ops) {
        ops.readlink = { req, _ in Operations.unsupported(req, "readlink") }
        ops.mknod = { req, _, _, _, _ in Operations.unsupported(req, "mknod") }
        ops.symlink = { req, _, _, _ in Operations.unsupported(req, "symlink") }
        ops.link = { req, _, _, _ in Operations.unsupported(req, "link") }
        ops.fsync = { req, _, _, _ in Operations.unsupported(req, "fsync") }
        ops.fsyncdir = { req, _, _, _ in Operations.unsupported(req, "fsyncdir") }
        ops.setxattr = { req, _, _, _, _, _ in Operations.unsupported(req, "setxattr") }
        ops.getxattr = { req, _, _, _ in Operations.unsupported(req, "getxattr") }
        ops.listxattr = { req, _, _ in Operations.unsupported(req, "listxattr") }
        ops.removexattr = { req, _, _ in Operations.unsupported(req, "removexattr") }
        ops.access = { req, _, _ in Operations.unsupported(req, "access") }
        ops.fallocate = { req, _, _, _, _, _ in Operations.unsupported(req, "fallocate") }
        ops.copy_file_range = { req, _, _, _, _, _, _, _, _ in Operations.unsupported(req, "copy_file_range") }
        ops.lseek = { req, _, _, _, _ in Operations.unsupported(req, "lseek") }
    }

    fileprivate static func unsupported(_ req: fuse_req_t?, _ operation: String) {
        guard let (bridge, raw) = bridge(req) else { return }
        bridge.unsupported(raw, operation)
    }
}
