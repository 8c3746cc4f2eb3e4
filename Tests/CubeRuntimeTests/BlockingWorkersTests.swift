import CCubeSystem
import CubeCore
@testable import CubeRuntime
import Dispatch
import Glibc
import NIOConcurrencyHelpers
import Testing

/// ``BlockingWorkers``' CPU priorities: an origin's lone job runs at the process's priority,
/// the rest of a burst (jobs submitted while their origin had one queued or running) at nice
/// ``BlockingWorkers/burstNice``, and another origin's job is served before the burst's next.
@Suite struct BlockingWorkersTests {
    @Test func aBurstsFollowOnJobsRunAtLowerPriorityAndAfterAnotherOrigin() {
        let workers = BlockingWorkers(name: "workers-test", width: 1)
        let seen = NIOLockedValueBox([(String, Int32)]())
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        func job(_ name: String, blocking: Bool = false) -> BlockingWorkers.Job {
            {
                seen.withLockedValue { $0.append((name, CCubeSystem_thread_nice())) }
                if blocking { release.wait() }
                done.signal()
            }
        }
        let burst = Origin.uid(1), other = Origin.uid(2)
        workers.submit(origin: burst, job("first", blocking: true))
        workers.submit(origin: burst, job("follow-on"))
        workers.submit(origin: other, job("other"))
        release.signal()
        for _ in 0..<3 { done.wait() }
        // A lone job again, on the same thread or a new one: back at the process's priority
        // (raising it back needs CAP_SYS_NICE, which the cube's root has).
        workers.submit(origin: .uid(3), job("later"))
        done.wait()
        let order = seen.withLockedValue { $0 }
        #expect(order.map(\.0) == ["first", "other", "follow-on", "later"])
        let nice = Dictionary(order, uniquingKeysWith: { first, _ in first })
        #expect(nice["first"] == 0)
        #expect(nice["other"] == 0)
        #expect(nice["follow-on"] == BlockingWorkers.burstNice)
        if getuid() == 0 { #expect(nice["later"] == 0) }
    }
}
