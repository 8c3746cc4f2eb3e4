/// `unix`: the peer's uid, from `SO_PEERCRED` (docs/protocol.md §3.1). Credential line
/// `auth <name>`; unix socket only.
struct UnixMethod: AuthMethod {
    let name = "unix"
    let countsCharacters = true

    func isOffered(in context: AuthContext) -> Bool { Self.isLocal(context.transport) }

    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict {
        let words = line.split(separator: Wire.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 2, words[0].elementsEqual("auth".utf8), Names.isUserName(words[1]) else { return .malformed }
        let name = String(decoding: words[1], as: UTF8.self)
        guard context.transport == .unix, let peer = context.peer else {
            return .refused(user: name, reason: "no peer credentials (unix logins only on the unix socket)")
        }
        if let failure = peer.userNameUnavailable {
            return .unavailable(user: name, reason: "uid \(peer.uid): the user database could not be read (\(failure))")
        }
        guard Self.allows(name, peer: peer, configuration: context.configuration) else {
            return .refused(user: name, reason:
                "uid \(peer.uid) is unix user '\(peer.userName ?? "?")', which may not log in as '\(name)'")
        }
        return .accepted(user: name, subname: nil)
    }

    /// Whether the unix peer may act as `name`: listed in `:unix:` or the implicit `unix-<user>`.
    static func allows(_ name: String, peer: PeerIdentity, configuration: CubeConfiguration) -> Bool {
        guard let unixUser = peer.userName else { return false }
        if configuration.unixImplicit && name == "unix-" + unixUser { return true }
        return configuration.users[name]?.unixUsers.contains(unixUser) ?? false
    }
}
