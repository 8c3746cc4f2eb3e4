/// What a credential line leads to (docs/protocol.md §3, "Results of a credential line").
package enum AuthVerdict: Sendable {
    /// `AUTH_TRUE =)`: the session logs in as `user` (with `subname`, for zenki).
    case accepted(user: String, subname: String?)
    /// ``AUTH_ERROR `>:|``, then close; `reason` is for the operator's log only.
    case refused(user: String, reason: String)
    /// `>:[`, then close: the line has the wrong shape.
    case malformed
    /// `>:| login cannot be checked now, try later`, then close: this machine could not
    /// decide (its user database unreadable for lack of descriptors, say). Logged like a
    /// failed login but not counted against the origin: the credential was never judged
    /// (docs/protocol.md §3.6).
    case unavailable(user: String, reason: String)
    /// Decided off the router's thread (a password hash, a program): the session waits, its
    /// origin is throttled as if the check had failed until it is decided (§3.6).
    case check(CredentialCheck)
}
