import CubeCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Logins, heartbeats, timeouts and scheduled restarts.
extension Manager {
    /// Seconds a started zenka has to log in before it counts as failed.
    static let loginGrace: UInt64 = 15_000_000_000

    /// Router events: a zenka instance logged in or lost its session.
    func observe(_ event: RouterEvent) {
        queue.async { [self] in
            answerNotifications(event)
            switch event {
            case .join(let user, let session):
                guard definitions[user] != nil else { return }
                let pid = hub.inspect { $0.summary(of: session)?.peerPID }
                let candidates = instances.values.filter { $0.name == user && $0.state == .starting }
                guard let instance = candidates.first(where: { $0.process.pid == pid })
                    ?? candidates.min(by: { $0.started < $1.started })
                else { return }
                instances[instance.id]?.state = .online
                instances[instance.id]?.session = session
                instances[instance.id]?.lastHeartbeat = Self.now
                records[user]?.waitingForDependencies = false
                logger.info("zenka online", metadata: ["zenka": "\(user)", "session": "\(session)"])
                startWaitingDependents()
            case .leave(let user, let session):
                guard let instance = instances.values.first(where: { $0.session == session }) else { return }
                instances[instance.id]?.session = nil
                instances[instance.id]?.waitingSince = Self.now
                if instance.state == .online { instances[instance.id]?.state = .starting }
                // The process lives on: give it a fresh key so it can log in again.
                if definitions[user]?.mode == .sdk, let definition = definitions[user] {
                    let directory = definition.directory ?? runtimeDirectory + "/zenki/" + user
                    writeKeyFile(directory + "/.zenka-key", name: user)
                }
            default:
                return
            }
        }
    }

    /// Answers deferred `notify_online`/`notify_offline` commands the event settles.
    func answerNotifications(_ event: RouterEvent) {
        let (user, session, joined): (String, SessionID, Bool)
        switch event {
        case .join(let name, let id): (user, session, joined) = (name, id, true)
        case .leave(let name, let id): (user, session, joined) = (name, id, false)
        default: return
        }
        // notify_offline waits for the last session of the name.
        if !joined && isOnline(user) { return }
        for notification in notifications.settle(user, online: joined) {
            let text = notification.online ? "zenka '\(user)' is online [\(session)]" : "instance '\(user)' is terminated"
            hub.reply(Reply(id: notification.id, keyword: .trueReply, text: Array(text.utf8)), from: self.session)
        }
    }

    /// Runs every 250 ms on the manager queue.
    func tick() {
        let now = Self.now
        for (id, instance) in instances {
            switch instance.state {
            case .stopping:
                if let deadline = instance.stopDeadline, now >= deadline {
                    logger.warning("zenka ignored SIGTERM, killing", metadata: ["zenka": "\(instance.name)"])
                    instance.process.signalGroup(SIGKILL)
                    instances[id]?.stopDeadline = nil
                }
            case .starting:
                if now - instance.waitingSince > Self.loginGrace && instance.session == nil {
                    logger.warning("zenka did not log in, restarting", metadata: ["zenka": "\(instance.name)"])
                    restart(instance: id, now: now)
                }
            case .online:
                checkHeartbeat(id, instance, now: now)
            }
        }
        lingering.removeAll { group in
            guard group.isAlive else { return true }
            guard now >= group.deadline else { return false }
            logger.warning("helpers of an ended zenka ignored SIGTERM, killing them", metadata: ["zenka": "\(group.name)"])
            kill(-group.group, SIGKILL)
            return true
        }
        for (name, record) in records where !record.manuallyStopped {
            let due = record.restartsDue.filter { now >= $0 }
            guard !due.isEmpty else { continue }
            records[name]?.restartsDue.removeAll { now >= $0 }
            for _ in due { launch(name) }
        }
        startWaitingDependents()
        forgetEndedNotifications()
    }

    /// Forgets deferred notifications whose route ended without them: the cube answered
    /// `FALSE route timeout` or the asker left (docs/protocol.md §8.2). With `timeouts.route = 0`
    /// a route never times out, so its notification waits for its event as long as the asker stays.
    private func forgetEndedNotifications() {
        guard !notifications.isEmpty else { return }
        let ids = notifications.nextToCheck()
        guard !ids.isEmpty else { return }
        let manager = session
        let ended = hub.inspect { router in ids.filter { !router.isRouteOpen(to: manager, commandID: $0) } }
        for id in ended { notifications.forget(id) }
    }

    private func checkHeartbeat(_ id: Int, _ instance: Instance, now: UInt64) {
        guard let definition = definitions[instance.name], definition.heartbeat > 0, let session = instance.session else {
            return
        }
        if let check = instance.heartCheck {
            guard now - check.sent > UInt64(definition.heartbeatTimeout * 1e9) else { return }
            instances[id]?.heartCheck = nil
            instances[id]?.missedHeartbeats += 1
            logger.warning("zenka missed a heartbeat", metadata: ["zenka": "\(instance.name)"])
            if instance.missedHeartbeats + 1 >= 2 {
                logger.warning("zenka stopped answering, restarting", metadata: ["zenka": "\(instance.name)"])
                restart(instance: id, now: now)
            }
            return
        }
        guard now - instance.lastHeartbeat >= UInt64(definition.heartbeat * 1e9) else { return }
        let checkID = nextCheckID
        nextCheckID = CommandID.after(nextCheckID)
        instances[id]?.heartCheck = (checkID, now)
        let check = Command(id: checkID, path: Array("\(session).heart".utf8), args: Array("notime".utf8))
        // Through the door a refusal (the zenka left meanwhile) comes as the outcome, not as a
        // reply: it counts as the `FALSE` it would have been.
        if case .refused = hub.submit(check, from: self.session) { heartbeatReply(Reply(id: checkID, keyword: .falseReply)) }
    }

    /// A reply to one of the manager's own heart checks.
    func heartbeatReply(_ reply: Reply) {
        guard let (id, _) = instances.first(where: { $0.value.heartCheck?.id == reply.id }) else { return }
        instances[id]?.heartCheck = nil
        if reply.keyword == .trueReply {
            instances[id]?.missedHeartbeats = 0
            instances[id]?.lastHeartbeat = Self.now
        } else {
            instances[id]?.missedHeartbeats += 1
            instances[id]?.lastHeartbeat = Self.now
        }
    }

    /// Stops an instance so that its exit starts a new one (at once when requested, after
    /// the backoff delay when it was unhealthy). One already stopping stays stopped: a stop
    /// order wins over a restart (``stop(instance:now:)``).
    func restart(instance id: Int, now: UInt64, reason: Instance.RestartReason = .unhealthy) {
        guard instances[id]?.state != .stopping else { return }
        stop(instance: id, now: now, comingBack: true)
        instances[id]?.restartRequested = reason
    }

    /// Whether any session of `name` is logged in.
    func isOnline(_ name: String) -> Bool {
        !hub.inspect { router in router.sessions(of: name) }.isEmpty
    }

    /// Starts zenki whose dependencies have come online.
    func startWaitingDependents() {
        for (name, record) in records where record.waitingForDependencies && !isRunning(name) {
            if definitions[name]?.dependencies.allSatisfy(isOnline) == true { launch(name) }
        }
    }
}
