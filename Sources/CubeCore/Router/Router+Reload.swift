// Reloading the configuration while sessions stay connected (docs/configuration.md "Reload").
extension Router {
    /// A new configuration was read (after SIGHUP or the `reload` command): from now on the
    /// router works with what ``ConfigurationReload`` lets change live (access rules, users,
    /// limits, timeouts, peers); restart-only keys keep their running values.
    ///
    /// No session is dropped: access rules and logins apply to the next command and the next
    /// login; line and body limits apply to every session's next message; memory limits to
    /// the next charge. Peers added to `network.peers` are dialled, peers removed from it are
    /// hung up (their links close), as `link` and `unlink` would. Commands waiting for a zenka
    /// that is no longer balanced here leave its queue now (``reloadedPools(now:actions:)``).
    /// - Parameter loaded: the configuration just read; it must have passed ``CubeConfiguration/load(_:owner:)``.
    package mutating func reconfigure(_ loaded: CubeConfiguration, now: Timestamp) -> [RouterAction] {
        let old = configuration
        configuration = ConfigurationReload(running: old, loaded: loaded).configuration
        accessMemo = nil
        let limits = configuration.limits
        memory.resize(limit: limits.memory, share: limits.memoryPerUser)
        for session in sessions.values {
            if session.isActive {
                session.decoder.maximumLineLength = limits.line
                session.decoder.maximumBodyLength = limits.body
            } else {
                session.decoder.maximumLineLength = limits.preAuthLine
            }
        }
        var actions: [RouterAction] = []
        reloadedPools(now: now, actions: &actions)
        guard let changes = network?.configuredPeersChanged(from: old.network.peers, to: configuration.network.peers) else {
            return actions
        }
        return actions + changes.dial.map(RouterAction.dial) + changes.hangUp.map(RouterAction.hangUp)
    }

    /// New `c25519` credentials from a reload (authorized keys, trusted signers read again),
    /// for logins from now on; handshakes under way finish with the ones they started with.
    /// A node without an identity key stays without (the identity needs a restart).
    package mutating func replaceSecureLogin(_ factory: any SecureHandshakeFactory) {
        guard secureLogin != nil else { return }
        secureLogin = factory
    }

    /// The answer to a `reload` command (``RouterAction/reload(_:command:)``): a `SIZE` body of
    /// the changes, one per line, or `FALSE` with the reason the configuration was refused.
    /// - Parameters:
    ///   - id: the session that asked; nothing is sent if it has gone.
    ///   - command: the id of its `reload` command.
    ///   - refusal: why the new configuration was refused (it names file and line), nil if applied.
    ///   - changes: what the reload did, one line each.
    package mutating func reloadFinished(_ id: SessionID, command: UInt64, refusal: String?, changes: [String],
                                        now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id], session.isActive else { return [] }
        if session.pendingReloads > 0 { session.pendingReloads -= 1 }
        var actions: [RouterAction]
        if let refusal {
            actions = [answer(id, command, .falseReply, "configuration refused, running one kept: \(refusal)")]
        } else {
            let text = changes.isEmpty ? "no changes\n" : changes.map { $0 + "\n" }.joined()
            let body = Self.fitting(Array(text.utf8), limit: configuration.limits.body)
            actions = [answer(id, command, .size, body: body)]
        }
        settleEndedInput(session, now: now, actions: &actions)
        return actions
    }
}
