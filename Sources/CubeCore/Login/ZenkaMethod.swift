/// `zenka`: a one-time key registered with `session-key` (docs/protocol.md §3.3).
/// Credential line `<name>[<sub>] <key>`; unix socket only.
struct ZenkaMethod: AuthMethod {
    let name = "zenka"
    let kind = SessionKind.zenka
    let countsCharacters = true

    func isOffered(in context: AuthContext) -> Bool { Self.isLocal(context.transport) }

    func credential(_ line: [UInt8], in context: inout AuthContext) -> AuthVerdict {
        let words = line.split(separator: Wire.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 2, !words[1].isEmpty else { return .malformed }
        var nameBytes = Array(words[0])
        var sub: String?
        if let (name, subname) = Names.splitSubname(nameBytes) {
            nameBytes = name
            sub = String(decoding: subname, as: UTF8.self)
        }
        guard Names.isUserName(nameBytes) else { return .malformed }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let digest = context.hasher.digest(Array(words[1]))
        guard context.zenkaKeys.use(name: name, digest: digest, now: context.now.monotonic) else {
            return .refused(user: name, reason: "no valid one-time key")
        }
        return .accepted(user: name, subname: sub)
    }
}
