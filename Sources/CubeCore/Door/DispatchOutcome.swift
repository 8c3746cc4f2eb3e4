/// What became of a command an in-process session submitted through the door
/// (``Router/submit(_:from:now:)``): the caller learns it at once, without reading a reply.
package enum DispatchOutcome: Equatable, Sendable {
    /// Routed to its targets, forwarded towards another node, queued for an on-demand zenka
    /// or run by the cube: its replies follow as typed messages (``RouterAction/deliver(_:_:)``).
    case accepted
    /// Refused before anything was sent; no reply follows (the caller shows the refusal).
    case refused(Refusal)
    /// The session is gone (closed since the caller looked it up): nothing was done.
    case noSession
}

/// Why a command was refused where it entered: the reason for an errno, the text for its
/// `FALSE` reply (the same text a socket client gets, docs/protocol.md §5).
package struct Refusal: Equatable, Sendable {
    /// The kind of refusal; the mount maps it to the `write()` errno (docs/filesystem.md).
    package enum Reason: Equatable, Sendable {
        /// The path is not a command path (`FALSE protocol mismatch`).
        case malformed
        /// The access rules deny it.
        case denied
        /// The target has no session (and is not registered on demand), or no path leads to its node.
        case missing
        /// A limit of the sender: open routes, memory share, hop count.
        case limit
    }

    package var reason: Reason
    /// The text after `FALSE `.
    package var text: String

    package init(_ reason: Reason, _ text: String) {
        self.reason = reason
        self.text = text
    }
}
