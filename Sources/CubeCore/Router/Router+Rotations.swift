// Node key rotation across the network (docs/security.md, "Node key rotation"): the router only
// wires ``NodeKeyRotations`` in — it feeds it the proofs received on links, re-pins the rotated
// node's advert key, floods what is new and tells the links' trust (``RouterAction/nodeKeyRotated(_:)``).
extension Router {
    /// The link record that carries rotation proofs: a multi-line command without id whose
    /// body is proof lines (``NodeKeyRotation``). It is never answered.
    static let rotationsPath = "rotations"

    /// A `rotations` record arrived on the link from `neighbour`: proofs from a trusted node's
    /// current key are learned and flooded on; others are logged and dropped.
    mutating func receiveRotations(_ command: Command, from neighbour: String, now: Timestamp,
                                   actions: inout [RouterAction]) {
        guard inNetwork, let multiline = command.multiline, multiline.headers.isEmpty,
              multiline.body.count <= NodeKeyRotations.maximumEntries else {
            return reportRejection(origin: "-", from: neighbour, reason: "malformed rotations", now: now, actions: &actions)
        }
        var learned: [NodeKeyRotation] = []
        for line in multiline.body {
            guard let rotation = NodeKeyRotation(text: String(decoding: line, as: UTF8.self)) else {
                reportRejection(origin: "-", from: neighbour, reason: "malformed rotation", now: now, actions: &actions)
                continue
            }
            if learnRotation(rotation, from: neighbour, now: now, actions: &actions) { learned.append(rotation) }
        }
        guard !learned.isEmpty, let network else { return }
        let others = network.topology.neighbours.filter { $0 != neighbour }
        send(Self.rotationsCommand(learned), toNeighbours: others, actions: &actions)
    }

    /// Offers one proof; a learned one re-pins the node's advert key to the new key, so the
    /// old key's adverts are refused from now on.
    /// - Returns: whether it was new.
    private mutating func learnRotation(_ rotation: NodeKeyRotation, from neighbour: String, now: Timestamp,
                                        actions: inout [RouterAction]) -> Bool {
        guard let topology = network?.topology, rotation != network?.ownRotation else { return false }
        switch network?.rotations.learn(rotation, trusted: topology.pinnedKeys, verifier: topology.verifier, now: now.wall,
                                           listed: topology.listedNodes) {
        case .learned(let node)?:
            repin(node, rotation)
            actions.append(.nodeKeyRotated(rotation))
            actions.append(.event(.keyRotated(node: node, old: rotation.old, new: rotation.new, from: neighbour)))
            return true
        case .refused(let reason)?:
            reportRejection(origin: "-", from: neighbour, reason: "rotation refused: \(reason)", now: now, actions: &actions)
            return false
        case .known?, nil:
            return false
        }
    }

    /// Pins `node`'s advert key to the proof's new key; the old key's adverts stay accepted
    /// until the end of its grace (`auth.c25519.rotation.grace`).
    private mutating func repin(_ node: String, _ rotation: NodeKeyRotation) {
        guard let until = network?.rotations.retiredUntil(rotation.old) else { return }
        network?.topology.rotate(node, from: rotation.old, to: rotation.new, until: until)
    }

    /// Proofs read from the durable store at start, in the order they were learned: applied
    /// without flooding (the links get them when they come up) and without checking their
    /// age again. Returns the ones learned (the others: the trusted-nodes file changed since).
    package mutating func restoreRotations(_ entries: [NodeKeyRotation], now: Timestamp) -> [NodeKeyRotation] {
        entries.filter { rotation in
            guard let topology = network?.topology,
                  case .learned(let node)? = network?.rotations.learn(rotation, trusted: topology.pinnedKeys,
                                                                      verifier: topology.verifier, now: now.wall,
                                                                      restoring: true)
            else { return false }
            repin(node, rotation)
            return true
        }
    }

    /// The record that carries `rotations` over a link.
    static func rotationsCommand(_ rotations: [NodeKeyRotation]) -> [UInt8] {
        Render.multilineCommand(id: 0, path: rotationsPath.utf8,
                                Multiline(headers: [], body: rotations.map { Array($0.text.utf8) }))
    }

    /// This node's own proof and every one learned, for a neighbour whose link just came up
    /// (nothing when there are none).
    func rotationsForNewLink(_ id: SessionID, actions: inout [RouterAction]) {
        guard let network else { return }
        let all = (network.ownRotation.map { [$0] } ?? []) + network.rotations.entries
        guard !all.isEmpty else { return }
        actions.append(.send(id, Self.rotationsCommand(all)))
    }
}
