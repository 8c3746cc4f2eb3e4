/// Which of the cube's event loops a new unix connection goes to (docs/architecture.md
/// "Threads"): every connection of one peer (a uid) goes to the same loop, and a peer with no
/// connection yet goes to the loop holding the fewest connections.
///
/// Why: closing a connection costs the loop that serves it some work of its own (NIO's
/// `close(2)`, deregistration and pipeline teardown, about 25 µs each), and the kernel hands a
/// loop its ready sockets in the order they became ready. When one user closes 10,000
/// sessions at once, a client on the same loop waits behind all 10,000; a client on another
/// loop does not (docs/security.md "Resource limits"). Pure: the listener keeps one under a
/// lock and asks it for each accepted connection.
package struct LoopShares: Sendable {
    /// Open connections per loop.
    package private(set) var connections: [Int]
    /// The loop of each peer with open connections, and how many it has there.
    private var peers: [UInt32: (loop: Int, count: Int)] = [:]

    /// - Parameter loops: how many loops there are (at least one).
    package init(loops: Int) {
        connections = Array(repeating: 0, count: max(1, loops))
    }

    /// Peers with open connections (at most one entry per open connection).
    package var peerCount: Int { peers.count }

    /// The loop for a new connection of `peer`, counted until ``release(_:)``.
    package mutating func assign(_ peer: UInt32) -> Int {
        let loop: Int
        if let known = peers[peer] {
            loop = known.loop
            peers[peer] = (loop, known.count + 1)
        } else {
            loop = connections.indices.min { connections[$0] < connections[$1] } ?? 0
            peers[peer] = (loop, 1)
        }
        connections[loop] += 1
        return loop
    }

    /// One connection of `peer` ended; a peer's last one frees its entry, so its next
    /// connection may go to another loop.
    package mutating func release(_ peer: UInt32) {
        guard let known = peers[peer] else { return }
        connections[known.loop] -= 1
        peers[peer] = known.count > 1 ? (known.loop, known.count - 1) : nil
    }
}
