/// A signed link-state advert (docs/protocol.md §8.3): what one node tells the whole network about
/// itself. Every node floods its own advert to its neighbours, which flood it on, so every
/// node holds the latest advert of every other node (see ``Topology``).
///
/// The value is normalized on creation: neighbours and zenki are sorted by name, offers by id,
/// so one advert has exactly one ``signedBytes`` and one ``render()`` form. Use
/// ``isWellFormed`` (or parse with ``init(parsing:)``, which checks it) before trusting one.
package struct LinkStateAdvert: Equatable, Sendable {
    // MARK: - Limits

    /// At most this many neighbours per advert.
    package static let maximumNeighbours = 256
    /// At most this many zenka names per advert.
    package static let maximumZenki = 4096
    /// At most this many offers per advert.
    package static let maximumOffers = 4096
    /// At most this many characters of base32 identity key.
    package static let maximumKeyCharacters = 128
    /// At most this many signature bytes.
    package static let maximumSignatureBytes = 128
    /// At most this many bytes per line of the text form, LF included.
    package static let maximumLineBytes = 256
    /// An upper bound of the text form's size: every line at its longest.
    package static let maximumTextBytes = (5 + maximumNeighbours + 2 * maximumZenki + maximumOffers) * maximumLineBytes

    // MARK: - Fields

    /// The node the advert is about (and that signed it).
    package let origin: String
    /// The origin's Ed25519 identity key, base32 (docs/protocol.md §3.5).
    package let key: String
    /// Grows with every new advert of the origin; a lower or equal one is stale.
    package let sequence: UInt64
    /// The origin's live links, sorted by name.
    package let neighbours: [AdvertNeighbour]
    /// The names of the zenki connected to the origin, sorted.
    package let zenki: [String]
    /// The origin's resource offers, sorted by id.
    package let offers: [AdvertOffer]
    /// The load of the origin's balanced zenki, sorted by name (docs/pooling.md); empty when
    /// it runs none, and then the advert is exactly what nodes without pooling send.
    package let loads: [AdvertLoad]
    /// When the origin issued the advert, unix seconds.
    package let issued: Int64
    /// The origin's signature over ``signedBytes``; empty when unsigned.
    package let signature: [UInt8]

    /// Creates an advert, sorting its lists into canonical order.
    /// - Parameters:
    ///   - origin: the node the advert is about.
    ///   - key: the origin's identity key, base32.
    ///   - sequence: the advert's sequence number.
    ///   - neighbours: the origin's live links (any order).
    ///   - zenki: the zenka names (any order).
    ///   - offers: the offers (any order).
    ///   - loads: the balanced zenki's loads (any order).
    ///   - issued: unix seconds when it was issued.
    ///   - signature: the signature over ``signedBytes``, empty if not signed yet.
    package init(origin: String, key: String, sequence: UInt64, neighbours: [AdvertNeighbour] = [],
                zenki: [String] = [], offers: [AdvertOffer] = [], loads: [AdvertLoad] = [], issued: Int64,
                signature: [UInt8] = []) {
        self.origin = origin
        self.key = key
        self.sequence = sequence
        self.neighbours = neighbours.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.zenki = zenki.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.offers = offers.sorted { $0.id < $1.id }
        self.loads = loads.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.issued = issued
        self.signature = signature
    }

    /// The same advert carrying `signature`.
    /// - Parameter signature: a signature over ``signedBytes``.
    /// - Returns: a copy with the signature replaced.
    package func withSignature(_ signature: [UInt8]) -> LinkStateAdvert {
        LinkStateAdvert(origin: origin, key: key, sequence: sequence, neighbours: neighbours, zenki: zenki,
                        offers: offers, loads: loads, issued: issued, signature: signature)
    }

    /// The same advert signed by `signer` (over ``signedBytes``).
    /// - Parameter signer: holds the origin's secret key.
    /// - Returns: the signed copy.
    package func signed(by signer: some AdvertSigner) -> LinkStateAdvert {
        withSignature(signer.sign(signedBytes))
    }

    /// At least the size of ``render()``'s text, counted from the fields without rendering:
    /// what the advert takes in a node's database (``Topology/databaseBytes``) and on a link.
    package var textBytes: Int {
        // Each line at its longest: field name, decimals of their widest, LF.
        var bytes = 7 + origin.utf8.count + 6 + key.utf8.count + 26 + 29 + 6 + (signature.count * 8 + 4) / 5
        for neighbour in neighbours { bytes += 23 + neighbour.name.utf8.count }
        for name in zenki { bytes += 8 + name.utf8.count }
        for offer in offers {
            bytes += 71 + offer.kind.utf8.count + offer.attributes.reduce(0) { $0 + 1 + $1.utf8.count }
        }
        for load in loads { bytes += 29 + load.name.utf8.count }
        return bytes
    }

    /// The cost the origin gives its link to `neighbour`, or nil if it does not advertise one.
    /// - Parameter neighbour: a node name.
    package func cost(to neighbour: String) -> UInt32? {
        neighbours.first { $0.name == neighbour }?.cost
    }
}
