import CubeCore
@testable import CubeRuntime
import Dispatch
import NIOConcurrencyHelpers
import Testing

/// ``EventInbox``: every event reaches the observer once, in posting order, in batches (a
/// burst posted while the observer is busy arrives as one batch, not one call per event).
@Suite struct EventInboxTests {
    @Test func aBurstArrivesInOrderInFewBatches() {
        let batches = NIOLockedValueBox([[RouterEvent]]())
        let busy = DispatchSemaphore(value: 0)
        let inbox = EventInbox(label: "inbox-test") { batch in
            if batches.withLockedValue({ $0.isEmpty }) { busy.wait() }
            batches.withLockedValue { $0.append(batch) }
        }
        inbox.post(.join(user: "first", session: 1))
        // The observer now holds its first batch until `busy` is signalled: everything posted
        // meanwhile waits in the inbox and comes as one batch.
        for id in 2...10_001 { inbox.post(.leave(user: "crowd", session: SessionID(id))) }
        busy.signal()
        inbox.flush()
        let seen = batches.withLockedValue { $0 }
        #expect(seen.count <= 2, "\(seen.count) batches")
        let events = seen.flatMap { $0 }
        #expect(events.count == 10_001)
        #expect(events.first == .join(user: "first", session: 1))
        let ids = events.dropFirst().compactMap { event -> SessionID? in
            if case .leave(_, let id) = event { return id }
            return nil
        }
        #expect(ids == (2...10_001).map { SessionID($0) })
    }
}
