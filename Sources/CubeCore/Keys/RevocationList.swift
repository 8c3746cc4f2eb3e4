/// The revocations a node knows, and which logged-in sessions they concern: a small pure
/// state machine the router feeds and asks (docs/security.md, "Revocation").
///
/// Inputs: entries (made here by `revoke`, read from the file at start, received on links),
/// sessions that logged in with a key or certificate, sessions that ended. Outputs: for each
/// new entry the sessions to close; whether a login's credentials are revoked; the text
/// to persist and to flood. At most ``maximumEntries`` entries; one per target (the first
/// one kept).
package struct RevocationList: Sendable, Equatable {
    /// The most entries kept; `revoke` past it is refused, received ones past it dropped.
    package static let maximumEntries = 4096
    /// The most entries one signer may have here: a quarter of the list, so that one node
    /// (hostile, or with a stolen key) cannot fill it and stop everyone else's revocations
    /// (docs/security.md "Revocation"; a hostile tester filled it from one neighbour).
    package static let maximumPerSigner = maximumEntries / 4

    /// Entries by target, and their order of arrival (for listing and persisting).
    private var byTarget: [String: Revocation] = [:]
    private var order: [String] = []
    /// Entries by signer key.
    private var bySigner: [String: Int] = [:]
    /// The credentials (`key:…`, `cert:…`) each open session logged in with.
    private var sessions: [SessionID: [String]] = [:]

    /// An empty list.
    package init() {}

    /// What adding an entry did.
    package enum Outcome: Equatable, Sendable {
        /// New: these open sessions used the target and must be closed.
        case added(closing: [SessionID])
        /// The target was revoked already.
        case known
        /// ``maximumEntries`` reached.
        case full
    }

    /// The entries in order of arrival.
    package var entries: [Revocation] { order.compactMap { byTarget[$0] } }

    /// The number of entries.
    package var count: Int { order.count }

    /// Adds an entry (its signature already checked by the caller).
    package mutating func add(_ revocation: Revocation) -> Outcome {
        guard byTarget[revocation.target] == nil else { return .known }
        guard order.count < Self.maximumEntries, bySigner[revocation.signer, default: 0] < Self.maximumPerSigner
        else { return .full }
        byTarget[revocation.target] = revocation
        order.append(revocation.target)
        bySigner[revocation.signer, default: 0] += 1
        let closing = sessions.filter { $0.value.contains(revocation.target) }.map(\.key).sorted()
        for id in closing { sessions[id] = nil }
        return .added(closing: closing)
    }

    /// The entry that revokes one of `credentials`, if any.
    package func revocation(of credentials: [String]) -> Revocation? {
        credentials.lazy.compactMap { byTarget[$0] }.first
    }

    /// A session logged in with `credentials` (it is closed when one is revoked).
    package mutating func sessionOpened(_ id: SessionID, credentials: [String]) {
        if !credentials.isEmpty { sessions[id] = credentials }
    }

    /// A session ended.
    package mutating func sessionClosed(_ id: SessionID) {
        sessions[id] = nil
    }

    /// The text form of the entries given, one line each (the file, a link record's body).
    package static func render(_ entries: [Revocation]) -> String {
        entries.map { $0.text + "\n" }.joined()
    }

    /// Parses lines of text form; blank lines and `#` comments are skipped.
    /// - Returns: the entries, or the 1-based number of the first bad line.
    package static func parse(_ text: String) -> Result<[Revocation], LineError> {
        var entries: [Revocation] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let entry = Revocation(text: line) else { return .failure(LineError(line: index + 1)) }
            entries.append(entry)
        }
        return .success(entries)
    }

    /// A line that is no revocation.
    package struct LineError: Error, Equatable, Sendable {
        /// Its 1-based number.
        package let line: Int
    }
}
