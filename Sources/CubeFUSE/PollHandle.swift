import CFuse3

/// A kernel poll wake-up handle (`fuse_pollhandle`), handed to ``FileSystem/poll(ino:handle:events:pollHandle:)``.
///
/// Keep the newest handle per open file and call ``notify()`` from any thread when the file becomes
/// ready; the kernel then polls again. Releasing the last reference destroys the handle. Calls after
/// unmount are ignored.
package final class PollHandle: @unchecked Sendable {
    /// The libfuse handle; immutable, freed in `deinit`. libfuse's notify is thread-safe.
    private let raw: OpaquePointer
    private let gate: ReplyGate

    init(raw: OpaquePointer, gate: ReplyGate) {
        self.raw = raw
        self.gate = gate
    }

    /// Tells the kernel that the file's readiness changed (`fuse_lowlevel_notify_poll`).
    /// Safe from any thread, including inside a handler (it does not wait for the kernel).
    package func notify() {
        gate.withOpenSession { _ = fuse_lowlevel_notify_poll(raw) }
    }

    deinit {
        fuse_pollhandle_destroy(raw)
    }
}
