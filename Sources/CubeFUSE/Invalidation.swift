/// A kernel cache entry to drop, sent by the ``Notifier``.
package enum Invalidation: Sendable, Hashable {
    /// Forget the name `name` in `parent` (an entry appeared or changed): `notify_inval_entry`.
    case entry(parent: UInt64, name: String)
    /// The entry `name` in `parent`, which pointed to `child`, is gone: `notify_delete`
    /// (also ends `inotify` watchers and removes the dentry even if it is in use).
    case delete(parent: UInt64, child: UInt64, name: String)
    /// Drop cached attributes and data of `ino` (`length` 0 means to the end): `notify_inval_inode`.
    case inode(ino: UInt64, offset: Int64, length: Int64)
}
