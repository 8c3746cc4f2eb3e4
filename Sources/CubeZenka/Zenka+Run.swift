extension Zenka {
    /// Connects, serves commands, and reconnects with backoff until ``stop()`` is called or the
    /// task is cancelled.
    /// - Throws: ``ZenkaError/noCredentials`` when no login method is configured; connection
    ///   failures are logged and retried, never thrown.
    public func run() async throws {
        let alreadyRunning = state.withLock { state -> Bool in
            defer { state.running = true }
            return state.running
        }
        guard !alreadyRunning else { throw ZenkaError.invalidArgument("run() called twice") }
        defer { state.withLock { $0.running = false } }
        try await withTaskCancellationHandler {
            try await connectionLoop()
        } onCancel: {
            stop()
        }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func connectionLoop() async throws {
        var plan = LoginPlan(settings: settings)
        var delay = settings.initialBackoff
        while !isStopped {
            do {
                let step = try plan.next()
                let link = try await Link.open(address: settings.connectAddress, login: step, timeout: .seconds(5))
                delay = settings.initialBackoff
                attach(link)
                log("connected to \(settings.connectAddress) as \(Self.describe(step))")
                runConnectHooks()
                let reason = await serve(link)
                log("disconnected: \(reason)")
            } catch ZenkaError.noCredentials {
                log("cannot log in: \(ZenkaError.noCredentials)")
                throw ZenkaError.noCredentials
            } catch {
                log("connect failed: \(error)")
            }
            detach()
            guard !isStopped else { break }
            log("reconnecting in \(Self.seconds(delay)) s")
            await pause(delay)
            delay = min(delay * 2, settings.maximumBackoff)
        }
        log("stopped")
    }

    /// Makes `link` the live connection (or closes it right away if the zenka was stopped meanwhile).
    private func attach(_ link: Link) {
        let stopped = state.withLock { state -> Bool in
            if !state.stopped { state.link = link }
            return state.stopped
        }
        if stopped { link.close() }
    }

    /// Forgets the connection and fails every command still awaiting a reply.
    private func detach() {
        let pending = state.withLock { state -> [ZenkaState.Pending] in
            state.link = nil
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for entry in pending { entry.continuation.resume(throwing: ZenkaError.disconnected) }
    }

    private func runConnectHooks() {
        let hooks = state.withLock { $0.connectHooks }
        for hook in hooks { Task { await hook(self) } }
    }

    /// Sleeps `delay`, waking early when the zenka is stopped.
    private func pause(_ delay: Duration) async {
        let step = Duration.milliseconds(100)
        var remaining = delay
        while remaining > .zero, !isStopped {
            try? await Task.sleep(for: min(step, remaining))
            remaining -= step
        }
    }

    private static func describe(_ step: LoginPlan.Step) -> String {
        switch step {
        case .zenka(let name, _): "\(name) (method zenka)"
        case .unix(let user): "\(user) (method unix)"
        case .callout(let user, _): "\(user) (method callout)"
        case .c25519(let identity, let certificate): "key \(identity)\(certificate.map { " with certificate \($0)" } ?? "") (method c25519)"
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = attoseconds / 100_000_000_000_000_000
        return "\(seconds).\(tenths)"
    }
}
