extension LinkStateAdvert {
    /// True if every field has a valid shape and size: node, neighbour and zenka names are
    /// valid names, the key is base32 within bounds, no list exceeds its limit or repeats an
    /// entry, the origin is not its own neighbour and `issued` is not negative. Says nothing
    /// about the signature.
    package var isWellFormed: Bool {
        Names.isUserName(origin.utf8)
            && (1...Self.maximumKeyCharacters).contains(key.utf8.count)
            && Base32.decode(utf8: key.utf8) != nil
            && issued >= 0
            && signature.count <= Self.maximumSignatureBytes
            && neighboursAreWellFormed && zenkiAreWellFormed && offersAreWellFormed
            && loadsAreWellFormed
    }

    private var neighboursAreWellFormed: Bool {
        neighbours.count <= Self.maximumNeighbours
            && neighbours.allSatisfy { $0.isWellFormed && $0.name != origin }
            && Self.isStrictlyAscending(neighbours.map(\.name))
    }

    private var zenkiAreWellFormed: Bool {
        zenki.count <= Self.maximumZenki && zenki.allSatisfy { Names.isUserName($0.utf8) }
            && Self.isStrictlyAscending(zenki)
    }

    private var offersAreWellFormed: Bool {
        offers.count <= Self.maximumOffers && offers.allSatisfy(\.isWellFormed)
            && zip(offers, offers.dropFirst()).allSatisfy { $0.id < $1.id }
    }

    private var loadsAreWellFormed: Bool {
        loads.count <= Self.maximumZenki && loads.allSatisfy(\.isWellFormed)
            && Self.isStrictlyAscending(loads.map(\.name))
    }

    /// True if `names` ascend bytewise with no repeats (sorted and duplicate-free).
    static func isStrictlyAscending(_ names: [String]) -> Bool {
        zip(names, names.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
