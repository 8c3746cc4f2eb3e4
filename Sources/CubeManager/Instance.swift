import CubeCore

/// One running (or starting, or stopping) process of a zenka.
struct Instance: Sendable {
    enum State: String, Sendable {
        /// Started, not logged in yet.
        case starting
        /// Logged in; checked with heartbeats.
        case online
        /// SIGTERM sent; SIGKILL follows after the stop timeout.
        case stopping
    }

    let id: Int
    let name: String
    let process: ChildProcess
    /// A `stdio` zenka, whose session the manager opened (and closes when it exits).
    let stdio: Bool
    var state = State.starting
    let started: UInt64
    /// Since when the instance has been waiting to log in (its start, or losing its session).
    var waitingSince: UInt64
    var session: SessionID?
    /// Started for another node's compute lease (`ScaleOrder.serve`): counted against
    /// `node.compute.slots` until it has exited.
    var served = false
    /// Set by `stop`: no restart after the exit.
    var stopRequested = false
    /// Set by a restart: start a new instance once this one has exited.
    var restartRequested: RestartReason?

    /// Stopping for a restart (`v7.restart`, missed heartbeats, a reload): it comes back once it
    /// has exited, unless a stop order calls the restart off (`Manager.stop(instance:now:)`).
    var restarting: Bool { state == .stopping && restartRequested != nil }

    /// Why an instance is being restarted.
    enum RestartReason: Sendable {
        /// `v7.restart`: start again at once.
        case requested
        /// Missed heartbeats or no login: start again after the backoff delay.
        case unhealthy
    }
    var stopDeadline: UInt64?
    /// Id of the heart check in flight and when it was sent.
    var heartCheck: (id: UInt64, sent: UInt64)?
    var lastHeartbeat: UInt64
    var missedHeartbeats = 0
}

/// Per-zenka bookkeeping that outlives instances (restart backoff, counts).
struct ZenkaRecord: Sendable {
    var restarts = 0
    /// Consecutive failed runs; the restart delay doubles with each.
    var failures = 0
    /// When each pending restart is due, one per instance that ended and comes back: several
    /// instances of one zenka can end together (before, one slot for the zenka kept only the
    /// last, and two crashed instances of a pool came back as one, below `instances.min`).
    var restartsDue: [UInt64] = []
    /// Whether a restart is pending.
    var restartPending: Bool { !restartsDue.isEmpty }
    /// Failed exits in a row, for the router's scaling starts (`ScaleOrder.start`), which the
    /// restart policy does not see; and until when such a start waits (restart.backoff doubled).
    var scaleFailures = 0
    var scaleBackoffUntil: UInt64?
    /// Stopped by `v7.stop`: no automatic start until `v7.start`.
    var manuallyStopped = false
    /// Waiting for dependencies to come online before starting.
    var waitingForDependencies = false
    var lastExit: String?
}
