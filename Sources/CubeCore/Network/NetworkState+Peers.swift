// The peers a node dials and the nodes it refuses: what `link`, `unlink` and a reload of
// `network.peers` change (docs/protocol.md "Links and nodes", docs/configuration.md "Reload").
extension NetworkState {
    /// What `unlink` undoes: the node meant, the addresses no longer to dial, the link
    /// sessions to close.
    struct Unlinking: Equatable, Sendable {
        let node: String?
        let hangUp: [PeerAddress]
        let close: [SessionID]
    }

    /// `link NODE`: accepts links from a node unlinked earlier again.
    /// - Returns: whether `node` was refused.
    mutating func acceptAgain(_ node: String) -> Bool { refused.remove(node) != nil }

    /// `link tcp:HOST:PORT`: keeps dialling `address`; lifts an `unlink` of the node met there.
    /// - Returns: whether the address is new (then it is to be dialled).
    mutating func linkPeer(_ address: PeerAddress) -> Bool {
        if let node = peers[address]?.node { refused.remove(node) }
        guard peers[address] == nil else { return false }
        peers[address] = PeerRecord(source: .command)
        return true
    }

    /// `unlink NODE|tcp:HOST:PORT`: forgets every address that leads to the node meant and
    /// refuses its links from now on (or a node that dials this one would come straight back).
    /// - Parameters:
    ///   - word: a node name or a peer address.
    ///   - linkAddress: the address a link session shows (`links`), for a link from that address.
    /// - Returns: what to hang up and close; nil when `word` names no link or peer.
    mutating func unlink(_ word: String, linkAddress: (SessionID) -> String?) -> Unlinking? {
        let peer = PeerAddress(word)
        // The node meant: the one met at that peer address, the word itself when it names a
        // linked node, or the node of a link from that address.
        let node = peer.flatMap { peers[$0]?.node } ?? (links[word] != nil ? word : nil)
            ?? links.first { _, ids in ids.contains { linkAddress($0) == word } }?.key
        // Every address that leads to it, so that none is redialled.
        let addresses = peers.filter { $0.key == peer || $0.value.node == word || (node != nil && $0.value.node == node) }
            .map(\.key).sorted()
        guard !addresses.isEmpty || node != nil else { return nil }
        for address in addresses { peers[address] = nil }
        if let node { refused.insert(node) }
        return Unlinking(node: node, hangUp: addresses, close: node.flatMap { links[$0] } ?? [])
    }

    /// A reload changed `network.peers` from `before` to `after`: added peers are dialled,
    /// removed ones hung up, but only those the configuration brought (one added with `link`
    /// stays until `unlink`).
    mutating func configuredPeersChanged(from before: [PeerAddress], to after: [PeerAddress])
        -> (dial: [PeerAddress], hangUp: [PeerAddress]) {
        let (before, after) = (Set(before), Set(after))
        var dial: [PeerAddress] = []
        var hangUp: [PeerAddress] = []
        for address in after.subtracting(before).sorted() where peers[address] == nil {
            peers[address] = PeerRecord(source: .configured)
            dial.append(address)
        }
        for address in before.subtracting(after).sorted() where peers[address]?.source == .configured {
            peers[address] = nil
            hangUp.append(address)
        }
        return (dial, hangUp)
    }
}
