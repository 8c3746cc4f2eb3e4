/// The outcome of a ``CredentialCheck``.
package enum CheckVerdict: Equatable, Sendable {
    /// The credential is good: the session logs in.
    case accepted
    /// It is not, or the check failed; `reason` goes to the operator's log, never to the client.
    case refused(reason: String)
}
