// `list [sessions|users|routes|zenki|nodes]`: aligned tables of the cube's state.
// Every time column of a table is elapsed time, headed `age` (docs/protocol.md §8): a mix of
// durations and clock times under the same `since` header was misread.
extension Router {
    /// The named table, the index of tables for nil, or nil for an unknown name.
    func listTable(_ name: String?, now: Timestamp) -> String? {
        switch name {
        case nil:
            var table = TextTable(headers: ["list", "description"])
            table.append(["sessions", "connected sessions"])
            table.append(["users", "logged-in users and zenki"])
            table.append(["routes", "commands waiting for replies"])
            table.append(["zenki", "zenki connected or registered on demand"])
            if inNetwork { table.append(["nodes", "the nodes of the network"]) }
            return table.render()
        case "sessions":
            var table = TextTable(headers: ["sid", "user", "sub", "auth", "transport", "routes", "age"])
            for session in sessions.sorted() {
                table.append([
                    String(session.id), session.user ?? "---", session.subname ?? "-", session.authLabel ?? "-",
                    session.transport.description, String(session.sourceRoutes.count + session.targetRoutes.count),
                    TimeText.duration(nanoseconds: now.monotonic &- session.since.monotonic),
                ])
            }
            return table.render()
        case "users":
            var table = TextTable(headers: ["user", "sessions", "age"])
            for user in users.names.sorted() {
                let ids = users.ids(of: user)
                let since = ids.compactMap { sessions[$0]?.since.monotonic }.min() ?? now.monotonic
                table.append([user, String(ids.count), TimeText.duration(nanoseconds: now.monotonic &- since)])
            }
            return table.render()
        case "routes":
            var table = TextTable(headers: ["source", "id", "target", "tid", "path", "age"])
            for (_, route) in routes.ordered() {
                table.append([
                    String(route.source), String(route.sourceCommandID), String(route.target),
                    String(route.targetCommandID), String(decoding: route.path, as: UTF8.self),
                    TimeText.duration(nanoseconds: now.monotonic &- route.started),
                ])
            }
            return table.render()
        case "zenki":
            var table = TextTable(headers: ["zenka", "state", "sessions"])
            var names = Set(onDemand.names)
            for session in sessions.sorted(where: { $0.isActive && $0.kind == .zenka }) { if let user = session.user { names.insert(user) } }
            for name in names.sorted() {
                let count = users.count(of: name)
                let state = count > 0 ? "online" : (onDemand.isStarting(name) ? "starting" : "offline")
                table.append([name, state, String(count)])
            }
            return table.render()
        case "nodes":
            return nodesTable(now: now)
        default:
            return nil
        }
    }
}
