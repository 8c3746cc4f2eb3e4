/// A synthetic tree served through FUSE, addressed by inode numbers.
///
/// Every method is called on the thread serving the mount: its loop thread or its
/// ``FUSERequestSource``'s (a foreign thread, not the Swift concurrency pool).
/// Implementations must never block and never wait for a Swift `Task`: read state behind a lock and
/// either answer at once or park the ``ReadRequest``. Never send an ``Invalidation`` synchronously from
/// here: hand it to the ``Notifier``, which sends it from its own thread.
///
/// Inode 1 is the root. Inode numbers must stay stable while the kernel holds references (see
/// ``forget(ino:)``) and must not be pointers.
///
/// Optional operations have default implementations; each says what happens when it is absent.
public protocol FileSystem: AnyObject, Sendable {
    /// Resolves `name` in directory `parent`.
    /// - Parameters:
    ///   - parent: The directory's inode.
    ///   - name: One path component.
    ///   - context: The requester.
    /// - Returns: The entry, or e.g. ``Errno/noSuchFileOrDirectory``.
    func lookup(parent: UInt64, name: String, context: RequestContext) -> Result<Entry, Errno>

    /// Returns the attributes of `ino`.
    /// - Parameters:
    ///   - ino: The node.
    ///   - context: The requester.
    /// - Returns: Attributes and their cache lifetime, or an error.
    func getattr(ino: UInt64, context: RequestContext) -> Result<AttributeReply, Errno>

    /// Lists directory `ino`, called once per `opendir`; the bridge serves the snapshot to the kernel
    /// in pieces and adds `.` and `..`. Listings are never cached by the kernel.
    /// - Parameters:
    ///   - ino: The directory.
    ///   - context: The requester.
    /// - Returns: The full listing, or e.g. ``Errno/notDirectory``.
    func readdir(ino: UInt64, context: RequestContext) -> Result<[DirectoryEntry], Errno>

    /// Opens file `ino`.
    /// - Parameters:
    ///   - ino: The file.
    ///   - flags: `open(2)` flags (`O_TRUNC` arrives here: the kernel uses atomic `O_TRUNC`).
    ///   - context: The requester.
    /// - Returns: The handle and caching mode, or an error.
    func open(ino: UInt64, flags: Int32, context: RequestContext) -> Result<OpenResult, Errno>

    /// Reads from an open file. Reply through `request` now, or park it and reply later from any thread.
    ///
    /// `request.flags` carries the file's current flags (check `O_NONBLOCK` and reply
    /// ``Errno/resourceTemporarilyUnavailable`` instead of parking). A parked request can be
    /// interrupted by a signal: the bridge then replies `EINTR` itself, later replies are no-ops,
    /// and ``ReadRequest/onInterrupt(_:)`` runs so the request can be dropped.
    /// - Parameters:
    ///   - ino: The file.
    ///   - handle: The handle from ``open(ino:flags:context:)``.
    ///   - size: Maximum number of bytes to return.
    ///   - offset: File offset (meaningless for non-seekable streams).
    ///   - context: The requester.
    ///   - request: The pending reply; exactly one reply reaches the kernel.
    func read(ino: UInt64, handle: UInt64, size: Int, offset: Int64, context: RequestContext, request: ReadRequest)

    /// Writes to an open file. Must not wait for the network: queue and return.
    /// Absent: replies ``Errno/noFunction``.
    /// - Parameters:
    ///   - ino: The file.
    ///   - handle: The open handle.
    ///   - bytes: The data.
    ///   - offset: File offset.
    ///   - context: The writer (its uid is who is speaking).
    /// - Returns: The number of bytes accepted, or an error.
    func write(ino: UInt64, handle: UInt64, bytes: [UInt8], offset: Int64, context: RequestContext)
        -> Result<Int, Errno>

    /// Called on each `close(2)` of a descriptor (there may be several per open). Absent: succeeds.
    /// - Parameters:
    ///   - ino: The file.
    ///   - handle: The open handle.
    ///   - context: The closing process.
    /// - Returns: Success, or an error reported by `close(2)`.
    func flush(ino: UInt64, handle: UInt64, context: RequestContext) -> Result<Void, Errno>

    /// The last reference to an open handle is gone. Absent: nothing happens.
    /// - Parameters:
    ///   - ino: The file.
    ///   - handle: The open handle.
    ///   - flags: The open flags.
    func release(ino: UInt64, handle: UInt64, flags: Int32)

    /// Reports readiness. Keep `pollHandle` (the newest one replaces older ones) and call
    /// ``PollHandle/notify()`` from any thread when readiness changes.
    /// Absent: replies ``Errno/noFunction`` and the kernel then treats the file as always ready.
    /// - Parameters:
    ///   - ino: The file.
    ///   - handle: The open handle.
    ///   - events: Requested events.
    ///   - pollHandle: Present when the kernel wants a wake-up notification.
    /// - Returns: The events that are ready now.
    func poll(ino: UInt64, handle: UInt64, events: PollEvents, pollHandle: PollHandle?) -> Result<PollEvents, Errno>

    /// Changes attributes (`truncate`, `chmod`, ...). Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - ino: The node.
    ///   - changes: The requested changes.
    ///   - handle: The open handle when called through a descriptor (`ftruncate`).
    ///   - context: The requester.
    /// - Returns: The new attributes, or an error.
    func setattr(ino: UInt64, changes: AttributeChanges, handle: UInt64?, context: RequestContext)
        -> Result<AttributeReply, Errno>

    /// Removes a file (`rm`). Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - parent: The directory.
    ///   - name: The file's name.
    ///   - context: The requester.
    /// - Returns: Success or an error.
    func unlink(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno>

    /// Removes a directory. Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - parent: The parent directory.
    ///   - name: The directory's name.
    ///   - context: The requester.
    /// - Returns: Success or an error.
    func rmdir(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno>

    /// Creates and opens a file. Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - parent: The directory.
    ///   - name: The new name.
    ///   - mode: Requested mode bits.
    ///   - flags: `open(2)` flags.
    ///   - context: The requester.
    /// - Returns: The entry and open handle, or an error.
    func create(parent: UInt64, name: String, mode: UInt32, flags: Int32, context: RequestContext)
        -> Result<CreateResult, Errno>

    /// Creates a directory. Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - parent: The parent directory.
    ///   - name: The new name.
    ///   - mode: Requested mode bits.
    ///   - context: The requester.
    /// - Returns: The new directory's entry, or an error.
    func mkdir(parent: UInt64, name: String, mode: UInt32, context: RequestContext) -> Result<Entry, Errno>

    /// Renames an entry. Absent: replies ``Errno/notPermitted``.
    /// - Parameters:
    ///   - parent: The source directory.
    ///   - name: The source name.
    ///   - newParent: The target directory.
    ///   - newName: The target name.
    ///   - context: The requester.
    /// - Returns: Success or an error.
    func rename(parent: UInt64, name: String, newParent: UInt64, newName: String, context: RequestContext)
        -> Result<Void, Errno>

    /// The kernel dropped its last reference to `ino`: a node that has left the tree may now be freed
    /// and its number reused. Absent: nothing happens.
    /// - Parameter ino: The node.
    func forget(ino: UInt64)
}

extension FileSystem {
    /// Default: ``Errno/noFunction``.
    public func write(ino: UInt64, handle: UInt64, bytes: [UInt8], offset: Int64, context: RequestContext)
        -> Result<Int, Errno>
    { .failure(.noFunction) }

    /// Default: success.
    public func flush(ino: UInt64, handle: UInt64, context: RequestContext) -> Result<Void, Errno> {
        .success(())
    }

    /// Default: nothing.
    public func release(ino: UInt64, handle: UInt64, flags: Int32) {}

    /// Default: ``Errno/noFunction`` (the kernel then stops polling and reports the file always ready).
    public func poll(ino: UInt64, handle: UInt64, events: PollEvents, pollHandle: PollHandle?)
        -> Result<PollEvents, Errno>
    { .failure(.noFunction) }

    /// Default: ``Errno/notPermitted``.
    public func setattr(ino: UInt64, changes: AttributeChanges, handle: UInt64?, context: RequestContext)
        -> Result<AttributeReply, Errno>
    { .failure(.notPermitted) }

    /// Default: ``Errno/notPermitted``.
    public func unlink(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno> {
        .failure(.notPermitted)
    }

    /// Default: ``Errno/notPermitted``.
    public func rmdir(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno> {
        .failure(.notPermitted)
    }

    /// Default: ``Errno/notPermitted``.
    public func create(parent: UInt64, name: String, mode: UInt32, flags: Int32, context: RequestContext)
        -> Result<CreateResult, Errno>
    { .failure(.notPermitted) }

    /// Default: ``Errno/notPermitted``.
    public func mkdir(parent: UInt64, name: String, mode: UInt32, context: RequestContext) -> Result<Entry, Errno> {
        .failure(.notPermitted)
    }

    /// Default: ``Errno/notPermitted``.
    public func rename(parent: UInt64, name: String, newParent: UInt64, newName: String, context: RequestContext)
        -> Result<Void, Errno>
    { .failure(.notPermitted) }

    /// Default: nothing.
    public func forget(ino: UInt64) {}
}
