/// Where the router learnt of a peer address (the `origin` column of `links`): a configured
/// peer is hung up when a reload removes it, the others are not.
package enum PeerSource: String, Sendable {
    /// `network.peers` or `cube run --peer`.
    case configured
    /// The `link` command.
    case command
    /// A discovery announcement.
    case discovered
}
