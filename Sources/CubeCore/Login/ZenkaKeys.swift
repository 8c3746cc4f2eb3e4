/// One-time zenka keys by name (docs/protocol.md §3.3): only digests are kept, each key
/// works once and expires `auth.zenka.key-lifetime` seconds after it was registered.
package struct ZenkaKeys: Sendable {
    private struct Key: Sendable {
        let digest: [UInt8]
        /// Monotonic nanoseconds.
        let expires: UInt64
    }

    private var keys: [String: [Key]] = [:]

    package init() {}

    /// Registers the key with this digest for `name` until `expires` (monotonic ns).
    package mutating func register(name: String, digest: [UInt8], expires: UInt64) {
        keys[name, default: []].append(Key(digest: digest, expires: expires))
    }

    /// Uses up a live key of `name` with this digest; false if there is none.
    package mutating func use(name: String, digest: [UInt8], now: UInt64) -> Bool {
        guard var list = keys[name],
              let index = list.firstIndex(where: { $0.expires > now && Self.constantTimeEqual($0.digest, digest) })
        else { return false }
        list.remove(at: index)
        keys[name] = list.isEmpty ? nil : list
        return true
    }

    /// Forgets expired keys.
    package mutating func expire(now: UInt64) {
        keys = keys.compactMapValues { list in
            let live = list.filter { $0.expires > now }
            return live.isEmpty ? nil : live
        }
    }

    /// Compares digests in constant time (docs/protocol.md §3.3).
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
