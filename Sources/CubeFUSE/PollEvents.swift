#if canImport(Glibc)
    import Glibc
#endif

/// `poll(2)` event bits, as requested by a poller and as reported by ``FileSystem/poll(ino:handle:events:pollHandle:)``.
package struct PollEvents: OptionSet, Sendable, Hashable {
    /// The raw `POLL*` bits.
    package let rawValue: UInt32

    /// Wraps raw `POLL*` bits.
    /// - Parameter rawValue: The bits.
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `POLLIN`: a read would not block.
    package static let readable = PollEvents(rawValue: UInt32(POLLIN))
    /// `POLLOUT`: a write would not block.
    package static let writable = PollEvents(rawValue: UInt32(POLLOUT))
    /// `POLLERR`: an error condition.
    package static let error = PollEvents(rawValue: UInt32(POLLERR))
    /// `POLLHUP`: the stream has ended.
    package static let hangUp = PollEvents(rawValue: UInt32(POLLHUP))
}
