import CFuse3
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A ``FileSystem`` mounted at a directory, served by one dedicated loop thread or by a
/// ``FUSERequestSource`` (the cube's: one of its event loops).
///
/// Creating a `FUSEMount` mounts; ``unmount()`` (or `deinit`) ends parked reads, stops serving and
/// unmounts. The mount never stacks over an existing mount. Signals are the owner's business:
/// libfuse's handlers are not installed, and the mount's threads block all signals.
///
/// `init`, ``unmount()`` and the static helpers block (they may spawn `fusermount3`); call them off
/// the Swift concurrency pool, and never from a ``FileSystem`` method.
public final class FUSEMount: Sendable {
    /// The canonical mount point.
    public let mountPoint: String
    /// The largest write the kernel sends in one request (set at `INIT`): 1 MiB, libfuse 3.14's
    /// own limit with 4 KiB pages.
    public static let maxWrite: UInt32 = 1 << 20
    /// What each read of `/dev/fuse` must offer: ``maxWrite`` and a page for the request's
    /// headers (libfuse's `FUSE_BUFFER_HEADER_SIZE`); the kernel refuses smaller reads.
    public static let requestBufferSize = Int(maxWrite) + 4096
    /// Sends kernel cache invalidations for this mount.
    public let notifier: Notifier

    private let bridge: Bridge
    private let session: SessionPointer
    private let loop: SessionLoop
    private let options: MountOptions
    private let logger: Logger
    /// Entered at start, left when serving ends.
    private let loopRunning: DispatchGroup
    private let serving: Serving
    /// Runs ``SessionLoop/watchMountTable()``; joined when serving has stopped.
    private let watchThread: JoinableThread
    /// `true` once unmounted; held for the whole unmount so concurrent callers wait for it.
    private let unmounted = Mutex(false)

    /// Mounts `fileSystem` at `path` and starts serving it.
    /// - Parameters:
    ///   - fileSystem: The tree to serve.
    ///   - path: An existing directory.
    ///   - options: Mount options.
    ///   - logger: Receives bridge and libfuse messages.
    ///   - requestSource: Reads the kernel's requests instead of a thread of the mount's own.
    ///   - onLoopExit: Called on the serving thread (the loop thread or the source's) when serving
    ///     stops, either by ``unmount()`` or because the mount was removed from outside
    ///     (`fusermount3 -u`); in the latter case call ``unmount()`` to release the session. Must
    ///     not call ``unmount()`` itself.
    /// - Throws: ``FUSEError``.
    public init(
        fileSystem: any FileSystem, at path: String, options: MountOptions = MountOptions(),
        logger: Logger = Logger(label: "CubeFUSE"), requestSource: (any FUSERequestSource)? = nil,
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
            let ended: @Sendable () -> Void = {
                // The connection ended (or unmount began): no parked read can be answered later.
                bridge.reads.closeAndAnswerAll()
                running.leave()
                onLoopExit?()
            }
            do throws(Errno) {
                self.serving = try Self.serve(session, loop: loop, source: requestSource, ended: ended)
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
            serving.stop()
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

    /// Unmounts; idempotent, blocking, safe from any thread except the one serving requests.
    ///
    /// Order: refuse new reads and answer every parked read with end-of-file; keep serving for up
    /// to ``MountOptions/drainTimeout`` so those readers can `flush`/`release`; stop the notifier;
    /// wake and join the loop thread (libfuse 3.14's `fuse_session_exit` alone would not wake it:
    /// ``SessionLoop`` polls a self-pipe next to `/dev/fuse`), or stop the request source (which
    /// closes its copy of the descriptor: a copy left open would keep the connection alive);
    /// close the reply gate; then
    /// `fuse_session_unmount` closes `/dev/fuse` (the kernel aborts the connection, so any request
    /// still waiting fails with `ENOTCONN`) and lazily detaches the mount; finally destroy the session.
    public func unmount() {
        if serving.isCurrent {
            logger.error("FUSEMount.unmount() called from the thread serving the mount; ignored (it would deadlock)")
            return
        }
        unmounted.withLock { done in
            guard !done else { return }
            bridge.reads.closeAndAnswerAll()
            drainOpenHandles()
            notifier.stop()
            loop.wake()
            serving.stop()
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

    /// Starts serving requests: a loop thread, or `source` on a copy of the descriptor.
    private static func serve(_ session: SessionPointer, loop: SessionLoop, source: (any FUSERequestSource)?,
                              ended: @escaping @Sendable () -> Void) throws(Errno) -> Serving {
        guard let source else {
            return .thread(try JoinableThread {
                loop.run()
                ended()
            })
        }
        let copy = fcntl(fuse_session_fd(session.raw), F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw Errno(rawValue: errno) }
        try source.start(descriptor: copy, bufferSize: requestBufferSize, request: { loop.process($0) }, ended: ended)
        return .source(source)
    }

    /// What serves the mount's requests.
    private enum Serving: Sendable {
        case thread(JoinableThread)
        case source(any FUSERequestSource)

        var isCurrent: Bool {
            switch self {
            case .thread(let thread): thread.isCurrent
            case .source(let source): source.isCurrent
            }
        }

        /// Returns once no request is being served any more (``SessionLoop/wake()`` came first).
        func stop() {
            switch self {
            case .thread(let thread): thread.join()
            case .source(let source): source.stop()
            }
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
