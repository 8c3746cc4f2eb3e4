import CubeAuth
import CubeCore

/// One discovery datagram (docs/network.md, "Discovery"): a node saying where it listens.
///
/// Wire form, one UDP datagram of ASCII, fields separated by exactly one space, no line end:
///
///     p7-announce <node> <base32 key> tcp:<host>:<port> <issued unix seconds> <base32 signature>
///
/// The signature is Ed25519 by `<key>` over the bytes before the last space (everything up to
/// and including `<issued>`). The text has exactly one accepted form, so a datagram is parsed
/// strictly and re-encodes to the same bytes.
package struct DiscoveryAnnouncement: Equatable, Sendable {
    /// The first field of every announcement.
    package static let keyword = "p7-announce"
    /// Longest datagram accepted: a 17-character name, a key, a signature and a long host name
    /// fit well inside; anything bigger is not ours.
    package static let maximumLength = 512
    /// The length of an Ed25519 signature in bytes.
    static let signatureByteCount = 64

    /// The announcing node's name (its `node.name`).
    package let node: String
    /// The node's identity key.
    package let key: PublicKey
    /// Where the node accepts links, `tcp:HOST:PORT`.
    package let address: String
    /// When it was made, in unix seconds; limits how long a captured datagram can be replayed.
    package let issued: Int64
    /// Ed25519 signature by ``key`` over ``signedText``.
    package let signature: [UInt8]

    private init(node: String, key: PublicKey, address: String, issued: Int64, signature: [UInt8]) {
        self.node = node
        self.key = key
        self.address = address
        self.issued = issued
        self.signature = signature
    }

    /// Makes and signs an announcement of this node.
    /// - Parameters:
    ///   - node: this node's name.
    ///   - address: where this node listens, `tcp:HOST:PORT`.
    ///   - issued: the current time in unix seconds.
    ///   - identity: this node's identity key; its public half is announced.
    /// - Returns: the signed announcement.
    package static func signed(node: String, address: String, issued: Int64, by identity: IdentityKey) -> DiscoveryAnnouncement {
        let text = signedText(node: node, key: identity.publicKey, address: address, issued: issued)
        return DiscoveryAnnouncement(node: node, key: identity.publicKey, address: address, issued: issued,
                                     signature: identity.sign(Array(text.utf8)))
    }

    /// Parses a received datagram strictly.
    /// - Parameter datagram: the datagram's bytes.
    /// - Returns: nil unless it is exactly one well-formed announcement (it may still be
    ///   untrusted, stale or badly signed: see ``DiscoveryVerdict``).
    package init?(datagram: some Collection<UInt8>) {
        guard datagram.count <= Self.maximumLength,
              datagram.allSatisfy({ (0x20..<0x7F).contains($0) }) else { return nil }
        // omittingEmptySubsequences: false makes a doubled, leading or trailing space an empty
        // field, which fails below instead of being silently accepted.
        let fields = datagram.split(separator: 0x20, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 6, fields[0] == Self.keyword,
              Names.isUserName(fields[1].utf8),
              let key = PublicKey(base32: fields[2]),
              PeerAddress(fields[3]) != nil,
              (1...12).contains(fields[4].utf8.count), fields[4].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let issued = Int64(fields[4]),
              let signature = Base32.decode(fields[5]), signature.count == Self.signatureByteCount
        else { return nil }
        self.init(node: fields[1], key: key, address: fields[3], issued: issued, signature: signature)
    }

    /// The signed part: every field but the signature.
    package var signedText: String { Self.signedText(node: node, key: key, address: address, issued: issued) }

    /// The whole datagram text.
    package var text: String { signedText + " " + Base32.encode(signature) }

    /// Whether ``signature`` is ``key``'s signature of ``signedText``.
    package var hasValidSignature: Bool { key.verify(signature, of: Array(signedText.utf8)) }

    private static func signedText(node: String, key: PublicKey, address: String, issued: Int64) -> String {
        "\(keyword) \(node) \(key) \(address) \(issued)"
    }
}
