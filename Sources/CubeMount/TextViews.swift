import CubeCore
import CubeFS
import CubeRuntime

/// The small generated text files of the mount (`README`, `status`, `info`, `sessions`);
/// those of the network part come from ``NodeTextViews``.
enum TextViews {
    /// The text of `node` as the unix user `uid` reads it (`ledger/` shows that user's account).
    static func render(_ node: Node, of fileSystem: NetworkFileSystem, uid: UInt32) -> String {
        let hub = fileSystem.hub
        switch node {
        case .offerFile(.info, let name):
            guard name.node == nil else { return NodeTextViews.offer(node: name.node ?? "", id: name.id, in: fileSystem) }
            return hub.inspect { router in
                guard let offer = router.allOffers.first(where: { $0.id == name.id }) else { return "" }
                var text = "id: \(offer.id)\nkind: \(offer.kind)\nprovider: \(offer.providerUser)\n"
                text += "provider-session: \(offer.provider)\ncapacity: \(offer.capacity)\navailable: \(offer.available)\n"
                // Then what this node knows of the provider (docs/market.md "Reputation").
                return text + lines(offer.attributes + router.reputationAttributes(of: offer.providerUser))
            }
        case .leaseFile(.info, let id):
            let now = Timestamp.now
            return hub.inspect { router in
                guard let lease = router.allLeases.first(where: { $0.id == id }) else { return "" }
                let left = lease.expires > now.monotonic ? lease.expires - now.monotonic : 0
                return "id: \(lease.id)\noffer: \(lease.offer)\nconsumer: \(lease.consumerUser)\namount: \(lease.amount)\n"
                    + "ttl: \(lease.ttl)\nexpires-in: \(TimeText.duration(nanoseconds: left))\n"
            }
        case .remoteLeaseFile(.info, let name):
            let wall = Timestamp.now.wall
            return hub.inspect { router in
                guard let lease = router.remoteLeases.first(where: { $0.node == name.node && $0.lease == name.id }) else { return "" }
                let left = max(0, lease.granted + Int64(lease.ttl) - wall)
                return "id: \(lease.name)\nnode: \(lease.node)\noffer: \(lease.node):\(lease.offer)\nconsumer: \(lease.user)\n"
                    + "amount: \(lease.amount)\nttl: \(lease.ttl)\nprice: \(Ledger.credits(lease.price))\n"
                    + "expires-in: \(TimeText.duration(nanoseconds: UInt64(left) * 1_000_000_000))\n"
            }
        case .leaseFile(.usage, let id):
            let wall = Timestamp.now.wall
            return hub.inspect { router in
                guard let lease = router.allLeases.first(where: { $0.id == id }) else { return "" }
                let usage = LeaseUsage(of: lease, ledger: router.ledger, wall: wall)
                return "id: \(lease.id)\nconsumer: \(lease.consumerUser)\nprice: \(Ledger.credits(usage.price))\n"
                    + "charges: \(usage.charges)\ncharged: \(Ledger.credits(usage.charged))\n"
                    + "since-charge: \(usage.sinceCharge)s\naccrued: \(Ledger.credits(usage.accrued))\n"
            }
        case .file(.balance, _), .file(.statement, _):
            // The reader's own account, under the name the mount speaks for it.
            guard let name = UnixUser.name(of: uid) else { return "" }
            let user = "unix-" + name
            return hub.inspect { router in
                guard node == .file(.balance, nil) else { return router.statementTable([], user: user) ?? "" }
                return "user: \(user)\nbalance: \(Ledger.credits(router.ledger.balance(of: user)))\n"
            }
        case .nodeFile(.links, let name):
            return NodeTextViews.links(of: name, in: fileSystem)
        case .nodeFile(_, let name):
            return NodeTextViews.info(of: name, in: fileSystem)
        case .file(.info, let port?):
            if let zenka = NodeZenka(port: port) { return NodeTextViews.info(of: zenka, in: fileSystem) }
            return render(.info, port, of: fileSystem)
        case .file(let role, let port):
            return render(role, port, of: fileSystem)
        default:
            return ""
        }
    }

    private static func render(_ role: Node.Role, _ port: PortTarget?, of fileSystem: NetworkFileSystem) -> String {
        let hub = fileSystem.hub
        switch (role, port) {
        case (.readme, _):
            return readme(mountPoint: fileSystem.mountPoint)
        case (.metrics, _):
            return fileSystem.metricsText?() ?? "# metrics are not collected by this cube\n"
        case (.status, _):
            let now = Timestamp.now
            let logs = fileSystem.state.withLock { state in (state.ports.count, state.ports.values.reduce(0) { $0 + $1.byteCount }) }
            return hub.inspect { router in
                let stats = router.stats
                return """
                    node: \(router.configuration.nodeName)
                    version: \(SoftwareVersion.number)
                    protocol-version: \(Wire.version)
                    identity-key: \(router.topology?.localKey ?? "none")
                    socket: \(router.configuration.unixSocketPath)
                    mount: \(fileSystem.mountPoint)
                    uptime: \(TimeText.duration(nanoseconds: router.uptime(now: now)))
                    sessions: \(router.sessionCount)
                    zenki: \(router.zenkaNames.count)
                    routes-open: \(router.routeCount)
                    commands-routed: \(stats.commandsRouted)
                    replies-relayed: \(stats.repliesRelayed)
                    local-commands: \(stats.localCommands)
                    logins: \(stats.logins)
                    failed-logins: \(stats.failedLogins)
                    reply-logs: \(logs.0)
                    reply-log-bytes: \(logs.1)

                    """
            }
        case (.info, .zenka(let name)?):
            return hub.inspect { router in
                let sessions = router.sessions(of: name)
                let state = !sessions.isEmpty ? "online" : (router.isOnDemand(name) ? "offline (on demand)" : "offline")
                let offers = router.allOffers.filter { $0.providerUser == name }.map { String($0.id) }
                return "name: \(name)\nstate: \(state)\nsessions: \(sessions.map(String.init).joined(separator: " "))\n"
                    + "offers: \(offers.joined(separator: " "))\n"
            }
        case (.info, .session(let id)?):
            return hub.inspect { router in
                guard let summary = router.summary(of: id) else { return "sid: \(id)\nstate: gone\n" }
                return """
                    sid: \(id)
                    user: \(summary.user ?? "---")
                    subname: \(summary.subname ?? "-")
                    auth: \(summary.method ?? "-")
                    transport: \(summary.transport)
                    since: \(TimeText.clock(summary.since.wall, offset: 0)) UTC
                    routes-open: \(summary.openRoutes)

                    """
            }
        case (.info, _):
            return hub.inspect { "name: \($0.configuration.nodeName)\nstate: online\n" }
        case (.sessions, .zenka(let name)?):
            return hub.inspect { $0.sessions(of: name) }.map { "\($0)\n" }.joined()
        case (.stats, .zenka(let path)?):
            // `nodes/<this node>/zenki/<name>/stats` speaks to the port `<node>.<name>`.
            let name = NodeZenka(port: .zenka(path))?.name ?? path
            let now = Timestamp.now
            return hub.inspect { $0.zenkaStats(name, now: now) } ?? ""
        default:
            return ""
        }
    }

    /// `key=value` words as `key: value` lines.
    static func lines(_ attributes: [String]) -> String {
        attributes.map { attribute in
            let parts = attribute.split(separator: "=", maxSplits: 1)
            return "\(parts.first ?? ""): \(parts.count > 1 ? String(parts[1]) : "")\n"
        }.joined()
    }

    static func readme(mountPoint: String) -> String {
        """
        Protocol-7: this directory is the network of cube nodes, as files.

          status            this node: name, version, uptime, counts
          metrics           the same counters for Prometheus (text format)
          events            stream of topology changes (join, leave, ...)
          cmd out ask       the local cube itself (list, whoami, heart, ...)
          zenki/<name>/     one directory per zenka: cmd out ask info sessions stats
          sessions/<sid>/   one directory per session: cmd out ask info
          nodes/<node>/     every node of the network: info links zenki/<name>/
                            (echo heart > nodes/n2/zenki/calc/cmd sends n2.calc.heart)
          offers/<id>/      resource offers (<node>:<id> for other nodes'): info acquire
                            (echo '100MiB 60' > offers/1/acquire leases 100 MiB for 60 s)
          leases/<id>/      leases of this node's offers: info renew usage (rmdir releases)
          ledger/           your account: balance statement

          cmd   write commands, one per line: echo heart > zenki/calc/cmd
          out   read replies as they come:     cat zenki/calc/out   (follows; Ctrl-C ends it)
          ask   write, then read exactly the replies to what you wrote:
                exec 3<>zenki/calc/ask; echo heart >&3; cat <&3; exec 3>&-

        You speak as your unix user (unix-<name>) with its access rules.
        Mounted at \(mountPoint).

        """
    }
}
