import CCubeSystem
import CubeCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// A small pool of threads for CPU-heavy work (Argon2id password checks, about 64 MiB and
/// 0.1 s each) that must not run on an event loop or on the 2-thread Swift concurrency pool.
///
/// Fair across origins (docs/security.md, "Resource limits"): every job names its origin
/// (nil for none); each origin has its own queue, origins are served round-robin,
/// and an origin has at most one job running. A burst from one origin therefore holds at most
/// one worker, and a job of another origin waits at most for one job per other busy origin,
/// never behind the burst. At most `width` jobs run at once, so memory stays bounded; the
/// router bounds how many jobs one origin can queue. Threads exist only while there is work.
///
/// A job submitted while its origin already has one queued or running (the rest of a burst)
/// runs at a lower CPU priority (nice ``burstNice``): on a machine with every core busy, a
/// burst's Argon2id checks then yield the CPU to the event loops and to an origin's lone check
/// (an honest login), which would otherwise share the cores with them and take several times
/// its 0.1 s (docs/security.md "Resource limits").
final class BlockingWorkers: Sendable {
    typealias Job = @Sendable () -> Void

    /// The nice value of a burst's follow-on jobs (the process's own is 0 for the others).
    static let burstNice: Int32 = 10

    private struct Queued: Sendable {
        let work: Job
        /// Submitted while its origin had another job queued or running.
        let followOn: Bool
    }

    private struct State: Sendable {
        /// Waiting jobs per origin; an origin without waiting jobs has no entry.
        var queues: [Origin?: CircularBuffer<Queued>] = [:]
        /// Origins with waiting jobs and none running, in the order they will be served.
        var ready = CircularBuffer<Origin?>()
        /// Origins with a job running.
        var running: Set<Origin?> = []
        /// Worker threads alive.
        var threads = 0
    }

    private let name: String
    private let width: Int
    private let state = NIOLockedValueBox(State())

    init(name: String, width: Int = 2) {
        self.name = name
        self.width = max(1, width)
    }

    /// Runs `work` on a worker thread, after the jobs queued before it for the same origin.
    func submit(origin: Origin?, _ work: @escaping Job) {
        let startThread = state.withLockedValue { state -> Bool in
            let alone = state.queues[origin] == nil && !state.running.contains(origin)
            if alone { state.ready.append(origin) }
            state.queues[origin, default: CircularBuffer()].append(Queued(work: work, followOn: !alone))
            guard state.threads < width else { return false }
            state.threads += 1
            return true
        }
        guard startThread else { return }
        let thread = Thread { [self] in serve() }
        thread.name = name
        thread.start()
    }

    /// A worker: takes the next ready origin's oldest job until none is ready.
    private func serve() {
        // The origin whose job this worker just finished (the first time round, none).
        var finished: Origin?
        var hasFinished = false
        // This thread's nice value; a new thread has the process's (0).
        var nice: Int32 = 0
        while true {
            let next = state.withLockedValue { state -> (origin: Origin?, job: Queued)? in
                if hasFinished {
                    state.running.remove(finished)
                    // Back to the end of the line: every other ready origin goes first.
                    if state.queues[finished] != nil { state.ready.append(finished) }
                }
                guard let origin = state.ready.popFirst(), var queue = state.queues[origin],
                      let job = queue.popFirst() else {
                    state.threads -= 1
                    return nil
                }
                state.queues[origin] = queue.isEmpty ? nil : queue
                state.running.insert(origin)
                return (origin, job)
            }
            guard let next else { return }
            let wanted = next.job.followOn ? Self.burstNice : 0
            // Raising the priority back needs CAP_SYS_NICE (the cube runs as root); without
            // it the thread keeps the lower one, which delays, never refuses.
            if wanted != nice, CCubeSystem_set_thread_nice(wanted) == 0 { nice = wanted }
            next.job.work()
            finished = next.origin
            hasFinished = true
        }
    }
}
