/// The `network.*` keys: links to other cubes, adverts and discovery (docs/protocol.md §8.3,
/// docs/network.md).
package struct NetworkSettings: Equatable, Sendable {
    /// Peers this node keeps a link to, `tcp:HOST:PORT` each (`network.peers`, `--peer`).
    package var peers: [PeerAddress] = []
    /// The trusted-nodes file: `<node-name> <public-key>` per line (`network.nodes`). A
    /// `c25519` session proving one of these keys is a link from that node, and an outbound
    /// link is accepted only to a server whose key is listed; nil = no links.
    package var nodesPath: String?
    /// Patterns a command arriving on a link must match (`network.link-access`). The node
    /// where a command entered the network already checked its user's access.
    package var linkAccess: [GlobPattern] = [GlobPattern("**")]
    /// Seconds between re-adverts when nothing changed (`network.advert-interval`).
    package var advertIntervalSeconds = 60
    /// Adverts older than this many seconds are refused and their node forgotten
    /// (`network.advert-max-age`); keep it several times the interval.
    package var advertMaximumAgeSeconds = 600
    /// What other nodes' adverts may hold here (`network.max-nodes`, `network.max-database`,
    /// `network.unlisted-nodes`; docs/network.md "Limits").
    package var topologyLimits = TopologyLimits()
    /// Longest wait between two attempts to reach a peer (`network.reconnect-max`).
    package var reconnectMaximumSeconds = 30
    /// Seconds a link may stay silent before it is considered dead (`network.link-timeout`):
    /// every node sends a keep-alive at a third of it.
    package var linkTimeoutSeconds = 15
    /// Interface for multicast discovery (`network.discovery.interface`); nil = off.
    package var discoveryInterface: String?
    /// Multicast group and port of discovery announcements (`network.discovery.group`).
    package var discoveryGroup = "239.255.7.7:7077"
    /// Seconds between two announcements (`network.discovery.interval`).
    package var discoveryIntervalSeconds = 5

    package init() {}
}
