import CFuse3
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A ``FileSystem`` mounted at a directory, served by one dedicated loop thread.
///
/// Creating a `FUSEMount` mounts; ``unmount()`` (or `deinit`) ends parked reads, stops the loop and
/// unmounts. The mount never stacks over an existing mount. Signals are the owner's business:
/// libfuse's handlers are not installed, and the mount's threads block all signals.
///
/// `init`, ``unmount()`` and the static helpers block (they may spawn `fusermount3`); call them off
/// the Swift concurrency pool, and never from a ``FileSystem`` method.
public final class FUSEMount: Sendable {
    /// The canonical mount point.
    public let mountPoint: String
    /// Sends kernel cache invalidations for this mount.
    public let notifier: Notifier

    private let bridge: Bridge
    private let session: SessionPointer
    private let loop: SessionLoop
    private let options: MountOptions
    private let logger: Logger
    /// Entered at start, left when the loop returns.
    private let loopRunning: DispatchGroup
    private let loopThread: JoinableThread
    /// Runs ``SessionLoop/watchMountTable()``; joined with the loop thread.
    private let watchThread: JoinableThread
    /// `true` once unmounted; held for the whole unmount so concurrent callers wait for it.
    private let unmounted = Mutex(false)

    /// Mounts `fileSystem` at `path` and starts serving it.
    /// - Parameters:
    ///   - fileSystem: The tree to serve.
    ///   - path: An existing directory.
    ///   - options: Mount options.
    ///   - logger: Receives bridge and libfuse messages.
    ///   - onLoopExit: Called on the loop thread when serving stops, either by ``unmount()`` or
    ///     because the mount was removed from outside (`fusermount3 -u`); in the latter case call
    ///     ``unmount()`` to release the session. Must not call ``unmount()`` itself.
    /// - Throws: ``FUSEError``.
    public init(
        fileSystem: any FileSystem, at path: String, options: MountOptions = MountOptions(),
        logger: Logger = Logger(label: "CubeFUSE"),
        onLoopExit: (@Sendable () -> Void)? = nil
    ) throws(FUSEError) {
        let mountPoint = MountTable.canonical(path)
        if options.clearStaleMount { try Self.clearStaleMount(at: mountPoint, logger: logger) }
        if let existing = MountTable.mounts(at: mountPoint).first {
            throw .mountPointBusy(path: mountPoint, fileSystemType: existing.fileSystemType)
        }
        var info = stat()
        guard stat(mountPoint, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .notADirectory(path: mountPoint)
        }
        LibfuseLog.install(logger)
        let bridge = Bridge(fileSystem: fileSystem, logger: logger)
        let session = try Self.makeSession(bridge: bridge, options: options)
        guard fuse_session_mount(session.raw, mountPoint) == 0 else {
            fuse_session_destroy(session.raw)
            throw .mountFailed(path: mountPoint)
        }
        // Children must not inherit /dev/fuse: a copy would keep the connection alive after unmount.
        _ = fcntl(fuse_session_fd(session.raw), F_SETFD, FD_CLOEXEC)
        let loop: SessionLoop
        let notifier: Notifier
        let watch: JoinableThread
        let running = DispatchGroup()
        // Nothing else was mounted here (checked above), so the FUSE entry now listed is this one.
        let device = MountTable.mounts(at: mountPoint).last(where: \.isFUSE)?.device
        do throws(Errno) {
            loop = try SessionLoop(session: session, logger: logger) { [bridge] in
                // Detached from outside (`fusermount3 -u -z`): the connection lives on while files
                // are open, so parked readers would wait for ever. They get end-of-file, like at
                // unmount; once they close, the kernel ends the connection and the loop.
                guard let device, MountTable.contains(device: device) == false, bridge.reads.closeAndAnswerAll()
                else { return }
                logger.warning("mount detached from outside; parked reads answered end-of-file",
                               metadata: ["path": "\(mountPoint)"])
            }
            notifier = Notifier(session: session, bridge: bridge, logger: logger)
            watch = try JoinableThread { loop.watchMountTable() }
            running.enter()
            do throws(Errno) {
                self.loopThread = try JoinableThread {
                    loop.run()
                    // The connection ended (or unmount began): no parked read can be answered later.
                    bridge.reads.closeAndAnswerAll()
                    running.leave()
                    onLoopExit?()
                }
            } catch {
                loop.wake()
                watch.join()
                throw error
            }
        } catch {
            fuse_session_unmount(session.raw)
            fuse_session_destroy(session.raw)
            throw .resourceUnavailable(error)
        }
        do {
            try notifier.start()
        } catch {
            loop.wake()
            loopThread.join()
            watch.join()
            fuse_session_unmount(session.raw)
            fuse_session_destroy(session.raw)
            throw .resourceUnavailable(error)
        }
        self.loop = loop
        self.watchThread = watch
        self.notifier = notifier
        self.loopRunning = running
        self.mountPoint = mountPoint
        self.bridge = bridge
        self.session = session
        self.options = options
        self.logger = logger
        logger.info("mounted", metadata: ["path": "\(mountPoint)", "options": "\(options.optionString)"])
    }

    deinit {
        unmount()
    }

    /// Whether the loop is still serving requests.
    public var isServing: Bool { loopRunning.wait(timeout: .now()) == .timedOut }

    /// Unmounts; idempotent, blocking, safe from any thread except a FUSE handler.
    ///
    /// Order: refuse new reads and answer every parked read with end-of-file; keep serving for up
    /// to ``MountOptions/drainTimeout`` so those readers can `flush`/`release`; stop the notifier;
    /// wake and join the loop thread (libfuse 3.14's `fuse_session_exit` alone would not wake it:
    /// ``SessionLoop`` polls a self-pipe next to `/dev/fuse`); close the reply gate; then
    /// `fuse_session_unmount` closes `/dev/fuse` (the kernel aborts the connection, so any request
    /// still waiting fails with `ENOTCONN`) and lazily detaches the mount; finally destroy the session.
    public func unmount() {
        if loopThread.isCurrent {
            logger.error("FUSEMount.unmount() called from a FUSE handler; ignored (it would deadlock)")
            return
        }
        unmounted.withLock { done in
            guard !done else { return }
            bridge.reads.closeAndAnswerAll()
            drainOpenHandles()
            notifier.stop()
            loop.wake()
            loopThread.join()
            watchThread.join()
            bridge.gate.close()
            fuse_session_unmount(session.raw)
            fuse_session_destroy(session.raw)
            done = true
            logger.info("unmounted", metadata: ["path": "\(mountPoint)"])
        }
    }

    private func drainOpenHandles() {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: options.drainTimeout)
        while bridge.openHandleCount > 0 && isServing && clock.now < deadline {
            usleep(2_000)
        }
    }

    private static func makeSession(bridge: Bridge, options: MountOptions) throws(FUSEError) -> SessionPointer {
        let arguments = ["cube", "-o", options.optionString]
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        defer { for argument in cArguments { free(argument) } }
        var ops = Operations.table()
        let raw = cArguments.withUnsafeMutableBufferPointer { argv -> OpaquePointer? in
            var args = CFuse3_args_init(Int32(argv.count), argv.baseAddress)
            defer { fuse_opt_free_args(&args) }
            return fuse_session_new(
                &args, &ops, MemoryLayout<fuse_lowlevel_ops>.size, Unmanaged.passUnretained(bridge).toOpaque())
        }
        guard let raw else { throw .sessionCreationFailed(options: options.optionString) }
        return SessionPointer(raw: raw)
    }
}
