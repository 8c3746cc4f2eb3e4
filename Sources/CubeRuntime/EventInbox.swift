import CubeCore
import Dispatch
import NIOConcurrencyHelpers

/// Hands router events to an observer in batches, on the observer's own serial queue.
///
/// Posting appends under a lock and schedules a drain only when the inbox was empty, so a
/// burst of events (10,000 sessions of one user closing at once) costs the poster one append
/// each and the observer one call per batch: it can then do once per batch what it would
/// otherwise do per event (the mount asks the hub which users left for good and refreshes its
/// network entries once, not 10,000 times under the hub's lock; docs/security.md "Resource
/// limits"). Order is kept: batches are handed over in posting order.
package final class EventInbox: Sendable {
    private let queue: DispatchQueue
    private let pending = NIOLockedValueBox([RouterEvent]())
    private let handler: @Sendable ([RouterEvent]) -> Void

    /// - Parameters:
    ///   - label: the serial queue's label.
    ///   - handler: called on that queue with each batch (never empty).
    package init(label: String, handler: @escaping @Sendable ([RouterEvent]) -> Void) {
        queue = DispatchQueue(label: label)
        self.handler = handler
    }

    /// Queues `event`; the observer gets it with the others posted before its next turn.
    package func post(_ event: RouterEvent) {
        let first = pending.withLockedValue { events in
            events.append(event)
            return events.count == 1
        }
        guard first else { return }
        queue.async { [self] in
            let batch = pending.withLockedValue { events in
                defer { events.removeAll(keepingCapacity: false) }
                return events
            }
            if !batch.isEmpty { handler(batch) }
        }
    }

    /// Waits until every batch posted so far was handled.
    package func flush() {
        queue.sync {}
    }
}
