extension LinkStateAdvert {
    /// Domain separation: signatures over adverts can never be mistaken for another signed
    /// message of the same key (handshake transcripts, certificates).
    static let signingDomain: [UInt8] = Array("protocol-7 link-state advert v1".utf8) + [0]

    /// The canonical bytes the origin signs: every field but the signature, in a fixed order,
    /// integers big-endian, every string and list length-prefixed with a 32-bit count, after
    /// a domain tag. Two adverts have the same bytes exactly when their fields are equal.
    package var signedBytes: [UInt8] {
        var out = Self.signingDomain
        Self.append(string: origin, to: &out)
        Self.append(string: key, to: &out)
        Self.append(sequence, to: &out)
        Self.append(UInt64(bitPattern: issued), to: &out)
        Self.append(UInt32(truncatingIfNeeded: neighbours.count), to: &out)
        for neighbour in neighbours {
            Self.append(string: neighbour.name, to: &out)
            Self.append(neighbour.cost, to: &out)
        }
        Self.append(UInt32(truncatingIfNeeded: zenki.count), to: &out)
        for name in zenki { Self.append(string: name, to: &out) }
        Self.append(UInt32(truncatingIfNeeded: offers.count), to: &out)
        for offer in offers {
            Self.append(offer.id, to: &out)
            Self.append(string: offer.kind, to: &out)
            Self.append(offer.capacity, to: &out)
            Self.append(offer.available, to: &out)
            Self.append(UInt32(truncatingIfNeeded: offer.attributes.count), to: &out)
            for attribute in offer.attributes { Self.append(string: attribute, to: &out) }
        }
        // Only adverts that carry loads sign them: without any, the bytes are those of nodes
        // that predate pooling, so mixed networks keep verifying each other (docs/pooling.md).
        if !loads.isEmpty {
            Self.append(UInt32(truncatingIfNeeded: loads.count), to: &out)
            for load in loads {
                Self.append(string: load.name, to: &out)
                Self.append(load.instances, to: &out)
                Self.append(load.outstanding, to: &out)
            }
        }
        return out
    }

    private static func append(string: String, to out: inout [UInt8]) {
        append(UInt32(truncatingIfNeeded: string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }

    private static func append<Integer: FixedWidthInteger & UnsignedInteger>(_ value: Integer, to out: inout [UInt8]) {
        var shift = Integer.bitWidth
        while shift > 0 {
            shift -= 8
            out.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}
