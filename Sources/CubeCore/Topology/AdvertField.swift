/// The field names of an advert's text form (``LinkStateAdvert/render()``), in the order
/// they must appear. `neighbour`, `zenka`, `offer` and `load` repeat; `sig` may be absent (unsigned).
package enum AdvertField: String, CaseIterable, Sendable {
    /// `node: <name>`, the origin.
    case node
    /// `key: <base32>`, the origin's identity key.
    case key
    /// `seq: <decimal>`, the sequence number.
    case seq
    /// `neighbour: <name> <cost>`, one per live link.
    case neighbour
    /// `zenka: <name>`, one per zenka.
    case zenka
    /// `offer: <id> <kind> <capacity> <available>`, one per offer.
    case offer
    /// `load: <zenka> <instances> <outstanding>`, one per balanced zenka (docs/pooling.md).
    case load
    /// `issued: <unix seconds>`.
    case issued
    /// `sig: <base32>`, the signature over ``LinkStateAdvert/signedBytes``.
    case sig
}
