extension LinkStateAdvert {
    /// The text form that travels as a `SIZE` body: one `field: value` line per field, each
    /// ending in LF, in ``AdvertField`` order; decimals without leading zeros; key and
    /// signature in base32. An unsigned advert has no `sig` line.
    ///
    ///     node: n1
    ///     key: <52 base32 characters>
    ///     seq: 7
    ///     neighbour: n2 1
    ///     zenka: calc
    ///     offer: 3 storage 1000 400 price=2
    ///     load: calc 2 5
    ///     issued: 1767225600
    ///     sig: <103 base32 characters>
    ///
    /// - Returns: the UTF-8 bytes of the text form.
    package func render() -> [UInt8] {
        var lines: [String] = ["node: \(origin)", "key: \(key)", "seq: \(sequence)"]
        lines += neighbours.map { "neighbour: \($0.name) \($0.cost)" }
        lines += zenki.map { "zenka: \($0)" }
        lines += offers.map { (["offer: \($0.id) \($0.kind) \($0.capacity) \($0.available)"] + $0.attributes).joined(separator: " ") }
        lines += loads.map { "load: \($0.name) \($0.instances) \($0.outstanding)" }
        lines.append("issued: \(issued)")
        if !signature.isEmpty { lines.append("sig: \(Base32.encode(signature))") }
        return Array(lines.map { $0 + "\n" }.joined().utf8)
    }

    /// Parses the text form of ``render()``, strictly: fields in order, each exactly
    /// `name: value` with one space, LF line ends (no CR), no blank or unknown lines, decimals
    /// canonical, base32 canonical, lists sorted without repeats, every limit respected
    /// (``maximumLineBytes``, ``maximumNeighbours``, ``maximumZenki`` also for `load`, ``maximumOffers``), and
    /// the result ``isWellFormed``.
    /// - Parameter bytes: a `SIZE` body.
    /// - Returns: nil for anything else.
    package init?(parsing bytes: [UInt8]) {
        guard bytes.count <= Self.maximumTextBytes, var reader = AdvertTextReader(bytes) else { return nil }
        guard let origin = reader.single(.node), let key = reader.single(.key),
              let sequence = reader.single(.seq).flatMap(AdvertTextReader.decimal)
        else { return nil }
        let neighbours = reader.repeated(.neighbour, limit: Self.maximumNeighbours, AdvertTextReader.neighbour)
        let zenki = reader.repeated(.zenka, limit: Self.maximumZenki) { $0 }
        let offers = reader.repeated(.offer, limit: Self.maximumOffers, AdvertTextReader.offer)
        let loads = reader.repeated(.load, limit: Self.maximumZenki, AdvertTextReader.load)
        guard let neighbours, let zenki, let offers, let loads,
              let issuedValue = reader.single(.issued).flatMap(AdvertTextReader.decimal),
              let issued = Int64(exactly: issuedValue)
        else { return nil }
        var signature: [UInt8] = []
        if let text = reader.single(.sig) {
            guard let decoded = Base32.decode(utf8: text.utf8), !decoded.isEmpty else { return nil }
            signature = decoded
        }
        guard reader.isAtEnd else { return nil }
        let advert = LinkStateAdvert(origin: origin, key: key, sequence: sequence, neighbours: neighbours,
                                     zenki: zenki, offers: offers, loads: loads, issued: issued, signature: signature)
        // Sorting must not have changed anything: the text form is canonical.
        guard advert.isWellFormed, advert.neighbours == neighbours, advert.zenki == zenki, advert.offers == offers,
              advert.loads == loads
        else { return nil }
        self = advert
    }

    /// Parses the text form given as a string (see the byte form of `init(parsing:)`).
    /// - Parameter text: the text form.
    package init?(parsing text: String) {
        self.init(parsing: Array(text.utf8))
    }
}
