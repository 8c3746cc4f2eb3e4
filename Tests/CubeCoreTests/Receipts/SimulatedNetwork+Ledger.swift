import CubeCore

extension SimulatedNetwork {
    /// The credits column of `statement 100` for `user` on `node`, rows whose `what` contains
    /// `marker` (docs/market.md "Prices and credits").
    mutating func credits(_ user: String, at node: String, _ marker: String) -> [String] {
        let session = connect(user, at: node)
        send("(9)statement 100\n", from: session, at: node)
        return take(session, at: node).split(separator: "\n").filter { $0.contains(marker) }
            .map { String($0.split(separator: " ")[1]) }
    }
}
