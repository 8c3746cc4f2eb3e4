/// What makes a session a link: the node at the other end.
struct LinkInfo: Sendable {
    let node: String
    /// `tcp:HOST:PORT` dialled (outbound) or the remote address (inbound), as `links` shows it.
    let address: String
    /// The address dialled, for an outbound link.
    let peer: PeerAddress?
    var outbound: Bool { peer != nil }
}
