import CubeFS

/// The files of each kind of directory of the mount, in listing order (docs/filesystem.md).
///
/// A new file is one row here, one ``Node/Role`` case and, for a text file, its content in
/// ``TextViews``: listing, lookup, open and read follow from the row.
enum DirectoryTable {
    /// The root: the cube's own files, and `cmd`/`out`/`ask` for node-local commands.
    static let root: [Node] = [
        .file(.readme, nil), .file(.status, nil), .file(.metrics, nil), .file(.events, nil),
        .file(.cmd, .cube), .file(.out, .cube), .file(.ask, .cube),
    ]
    /// `zenki/<name>/` (and `nodes/<this node>/zenki/<name>/`).
    static let zenka: [Node.Role] = [.cmd, .out, .ask, .info, .sessions, .stats]
    /// `nodes/<other node>/zenki/<name>/`: no `sessions` file, another node's session ids
    /// mean nothing here.
    static let remoteZenka: [Node.Role] = [.cmd, .out, .ask, .info]
    /// `sessions/<sid>/`.
    static let session: [Node.Role] = [.cmd, .out, .ask, .info]
    /// `offers/<id>/` and `offers/<node>:<id>/` (docs/market.md "The market as files").
    static let offer: [Node.Role] = [.info, .acquire]
    /// `leases/<id>/`.
    static let lease: [Node.Role] = [.info, .renew, .usage]
    /// `ledger/`: the reading user's account.
    static let ledger: [Node.Role] = [.balance, .statement]
}

extension Node.Role {
    /// Files whose text is made once at open (``TextViews``), read by offset.
    var isText: Bool {
        switch self {
        case .readme, .status, .info, .sessions, .stats, .metrics, .links, .usage, .balance, .statement: true
        case .events, .cmd, .out, .ask, .acquire, .renew: false
        }
    }
}
