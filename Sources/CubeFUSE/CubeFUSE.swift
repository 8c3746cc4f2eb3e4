// CubeFUSE: a generic bridge from libfuse3's low-level API to a synthetic tree of inode numbers.
//
// The module knows nothing about what it serves. A `FileSystem` answers lookups, listings, reads
// and writes by inode number; `FUSEMount` mounts it and serves it on one thread (a loop thread of
// its own, or the thread of a `FUSERequestSource`: the cube's event loop); `ReadRequest` makes
// delayed (parked) read replies safe; `Notifier` sends kernel cache invalidations; `PollHandle`
// wakes `poll(2)`ers.
//
// Known deadlocks (each one has been seen in practice):
// - Notify inside a handler: `fuse_lowlevel_notify_inval_entry`/`_delete` may wait for the kernel,
//   which may wait for the request being handled. Only the `Notifier` thread notifies, never while
//   holding the tree lock. (`PollHandle.notify()` does not wait and is safe anywhere.)
// - Accessing the mount from the serving process: a `stat`/`open` on the mount from any thread of
//   the daemon can wait for the serving thread that is waiting for it, and a process stuck like that
//   cannot be killed (only `umount -f` frees it). Tests drive the mount from child processes.
// - Blocking a handler: one thread serves every request (under a request source, that thread
//   also serves sockets); a handler that waits (for a Swift task, a semaphore, the network)
//   stops the whole mount. Answer at once or park the read.
// - Blocking the Swift concurrency pool: `FUSEMount.init`, `unmount()` and child processes that
//   read the mount block; run them on dedicated threads.
// - Calling `FUSEMount.unmount()` from a handler would wait for the serving thread from itself;
//   it is refused with an error log.
// - Without `fuse_req_interrupt_func` a reader blocked on a parked read sleeps uninterruptibly and
//   survives even `kill -9`; the bridge registers it on every read and answers `EINTR`.
// - libfuse 3.14's `fuse_session_exit` does not wake `fuse_session_loop`; `SessionLoop` polls a
//   self-pipe next to `/dev/fuse`, so unmount wakes it directly.
//
// Caching rules:
// - Files whose content or size changes are opened with `directIO` (every read reaches the file
//   system; `stat` size may be 0) or answered with zero attribute TTL.
// - Directory listings are never cached (`cache_readdir` off); the bridge snapshots a listing at
//   `opendir`. Entry and attribute TTLs come from the `FileSystem` (the cube uses at most 1 s), and
//   the `Notifier` drops entries early when the tree changes.
// - Lookup counts are kept by the bridge; `FileSystem.forget(ino:)` says when an inode number may
//   be reused. Inode numbers are never pointers.
// - Notifications before the kernel's INIT, or for inodes the kernel holds no reference to, are
//   skipped (sending them early would make libfuse report ENOSYS and stop notifications for good).
