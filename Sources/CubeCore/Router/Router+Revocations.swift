// Revocation across the network (docs/security.md, "Revocation"): the router only wires
// ``RevocationList`` in — it feeds it `revoke`, stored and received entries and the c25519
// sessions, and carries out what it answers (close sessions, persist, flood on links).
extension Router {
    /// The link record that carries revocations: a multi-line command without id whose body
    /// is entry lines (``Revocation``). It is never answered.
    static let revocationsPath = "revocations"

    /// `revoke <key|certificate-id>`: signs an entry with this node's key and applies it here
    /// and, through the links, on every node.
    mutating func revokeCommand(_ words: [String], now: Timestamp, actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard words.count == 1, let target = Revocation.target(forArgument: words[0]) else {
            return (.falseReply, "usage: revoke <key|certificate-id> [ a 52-character key or a 26-character id ]")
        }
        guard let signer = network?.signer ?? (secureLogin as? any CertificateIssuer)?.revocationSigner else {
            return (.falseReply, "this node has no identity key")
        }
        let entry = Revocation.issue(target: target, issued: now.wall, by: signer)
        switch apply([entry], from: nil, now: now, actions: &actions) {
        case let closed?: return (.trueReply, "revoked \(target), \(closed) session(s) closed")
        case nil:
            return revocations.revocation(of: [target]) != nil
                ? (.falseReply, "\(target) is revoked already")
                : (.falseReply, "too many revocations [ \(RevocationList.maximumEntries) ]")
        }
    }

    /// `revocations`: the table of entries known here.
    func revocationsTable() -> String {
        var table = TextTable(headers: ["target", "issued", "signer"])
        for entry in revocations.entries {
            table.append([entry.target, TimeText.clock(entry.issued, offset: utcOffset), entry.signer])
        }
        return table.render()
    }

    /// Entries read from the file at start: applied without flooding (the links get them
    /// when they come up). Returns how many were new.
    package mutating func restoreRevocations(_ entries: [Revocation]) -> Int {
        entries.reduce(0) { count, entry in
            if case .added = revocations.add(entry) { return count + 1 }
            return count
        }
    }

    /// A `revocations` record arrived on the link from `neighbour`: entries whose signature
    /// holds by the key they name are applied; malformed records are logged and dropped.
    mutating func receiveRevocations(_ command: Command, from neighbour: String, now: Timestamp,
                                     actions: inout [RouterAction]) {
        guard inNetwork, let verifier = network?.topology.verifier else { return }
        guard let multiline = command.multiline, multiline.headers.isEmpty,
              multiline.body.count <= RevocationList.maximumEntries else {
            return reportRejection(origin: "-", from: neighbour, reason: "malformed revocations", now: now, actions: &actions)
        }
        // Signed by a node of the network: a key pinned for a node here. Any key was taken
        // before, and entries signed by throwaway keys filled the list from one neighbour, so
        // that no key could be revoked any more (a hostile tester's finding).
        var nodeKeys = Set<String>()
        if let network {
            nodeKeys = Set(network.topology.pinnedKeys.values)
            nodeKeys.insert(network.signer.publicKey)
        }
        var entries: [Revocation] = []
        for line in multiline.body {
            guard let entry = Revocation(text: String(decoding: line, as: UTF8.self)) else {
                reportRejection(origin: "-", from: neighbour, reason: "bad revocation", now: now, actions: &actions)
                continue
            }
            // Known already (a flood's copy, a link's whole list): nothing to check, no
            // signature to spend time on.
            if revocations.revocation(of: [entry.target]) != nil { continue }
            guard nodeKeys.contains(entry.signer) else {
                reportRejection(origin: "-", from: neighbour, reason: "revocation signed by no node's key", now: now,
                                actions: &actions)
                continue
            }
            guard entry.verify(with: verifier) else {
                reportRejection(origin: "-", from: neighbour, reason: "bad revocation", now: now, actions: &actions)
                continue
            }
            entries.append(entry)
        }
        _ = apply(entries, from: neighbour, now: now, actions: &actions)
    }

    /// Adds `entries`; for the new ones closes the sessions that used them, persists the list
    /// and floods them to every neighbour but `neighbour`.
    /// - Returns: the number of sessions closed, or nil when nothing was new.
    private mutating func apply(_ entries: [Revocation], from neighbour: String?, now: Timestamp,
                                actions: inout [RouterAction]) -> Int? {
        var new: [Revocation] = []
        var closing: [SessionID] = []
        for entry in entries {
            guard case .added(let sessions) = revocations.add(entry) else { continue }
            new.append(entry)
            closing += sessions
            // Logged on every node it reaches: who signed it, whence it came, what it closed.
            actions.append(.event(.revoked(target: entry.target, signer: entry.signer, from: neighbour,
                                           closed: sessions.count)))
        }
        guard !new.isEmpty else { return nil }
        for id in closing where sessions[id] != nil {
            actions.append(.send(id, Render.terminate("credentials revoked")))
            close(id, now: now, actions: &actions)
        }
        actions.append(.saveRevocations(RevocationList.render(revocations.entries)))
        if let network {
            let others = network.topology.neighbours.filter { $0 != neighbour }
            send(Self.revocationsCommand(new), toNeighbours: others, actions: &actions)
        }
        return closing.count
    }

    /// The record that carries `entries` over a link.
    static func revocationsCommand(_ entries: [Revocation]) -> [UInt8] {
        Render.multilineCommand(id: 0, path: revocationsPath.utf8,
                                Multiline(headers: [], body: entries.map { Array($0.text.utf8) }))
    }

    /// Everything known, for a neighbour whose link just came up (nothing when empty).
    func revocationsForNewLink(_ id: SessionID, actions: inout [RouterAction]) {
        guard revocations.count > 0 else { return }
        actions.append(.send(id, Self.revocationsCommand(revocations.entries)))
    }

    /// A `c25519` login succeeded: refused with the reason if its key or certificate is
    /// revoked, else remembered so that a later revocation closes it.
    /// - Returns: the refusal text, or nil when the login may go on.
    mutating func checkRevocation(_ id: SessionID, credentials: [String]) -> String? {
        if let entry = revocations.revocation(of: credentials) {
            return entry.target.hasPrefix("cert:") ? "key certificate revoked (\(entry.target))" : "key revoked (\(entry.target))"
        }
        revocations.sessionOpened(id, credentials: credentials)
        return nil
    }
}
