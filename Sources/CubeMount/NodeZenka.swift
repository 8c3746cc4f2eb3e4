import CubeFS

/// A zenka as seen under `nodes/<node>/zenki/<name>/`: a name on one node of the network.
///
/// Its `cmd`/`out`/`ask` files speak to the port ``port``, a ``PortTarget/zenka(_:)`` whose
/// name is the path prefix `<node>.<name>`. The ``CommandTranslator`` prefixes every command
/// with a port's name, so `heart` written there is sent as `<node>.<name>.heart` and the
/// router forwards it across the network, with no new kind of port. The encoding is
/// unambiguous: node and zenka names never contain a dot, so a zenka port whose name holds
/// one is always a node's zenka.
struct NodeZenka: Hashable, Sendable {
    /// The node the zenka is connected to.
    let node: String
    /// The zenka's name on that node.
    let name: String

    init(node: String, name: String) {
        self.node = node
        self.name = name
    }

    /// The node zenka a port speaks to, or nil for any other port.
    init?(port: PortTarget) {
        guard case .zenka(let path) = port, let dot = path.firstIndex(of: ".") else { return nil }
        let node = String(path[..<dot])
        let name = String(path[path.index(after: dot)...])
        guard !node.isEmpty, !name.isEmpty else { return nil }
        self.init(node: node, name: name)
    }

    /// The port of this directory's `cmd`, `out` and `ask`.
    var port: PortTarget { .zenka("\(node).\(name)") }
}
