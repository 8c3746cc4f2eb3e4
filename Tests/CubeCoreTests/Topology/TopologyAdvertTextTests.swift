import CubeCore
import Testing

@Suite struct TopologyAdvertTextTests {
    static let key = ToyMAC.key(for: "n1")

    static let full = LinkStateAdvert(
        origin: "n1", key: key, sequence: 7,
        neighbours: [AdvertNeighbour("n5", cost: 3), AdvertNeighbour("n2")],
        zenki: ["taeki", "calc"],
        offers: [AdvertOffer(id: 9, kind: "gpu", capacity: 2, available: 0),
                 AdvertOffer(id: 3, kind: "storage", capacity: 1000, available: 400)],
        issued: 1_750_000_000
    ).signed(by: ToySigner(publicKey: key))

    static let fullText = """
        node: n1
        key: \(key)
        seq: 7
        neighbour: n2 1
        neighbour: n5 3
        zenka: calc
        zenka: taeki
        offer: 3 storage 1000 400
        offer: 9 gpu 2 0
        issued: 1750000000
        sig: \(sigText(full.signature))

        """

    /// Base32 of the 8-byte toy signatures, computed independently of the code under test.
    static func sigText(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = bytes.flatMap { byte in (0..<8).map { (byte >> (7 - $0)) & 1 } }
        while bits.count % 5 != 0 { bits.append(0) }
        return String(stride(from: 0, to: bits.count, by: 5).map { start in
            alphabet[Int(bits[start..<start + 5].reduce(0) { $0 << 1 | $1 })]
        })
    }

    static func replacing(_ old: String, with new: String) -> String {
        fullText.replacingOccurrences(old, new)
    }

    @Test func rendersOneLinePerFieldInCanonicalOrder() {
        #expect(String(decoding: Self.full.render(), as: UTF8.self) == Self.fullText)
    }

    @Test func parsesWhatItRenders() throws {
        let parsed = try #require(LinkStateAdvert(parsing: Self.full.render()))
        #expect(parsed == Self.full)
        #expect(parsed.signedBytes == Self.full.signedBytes)
        #expect(ToyVerifier().verify(parsed.signature, of: parsed.signedBytes, by: parsed.key))
    }

    @Test func roundTripsAMinimalUnsignedAdvert() throws {
        let bare = LinkStateAdvert(origin: "x", key: Self.key, sequence: 0, issued: 0)
        let text = String(decoding: bare.render(), as: UTF8.self)
        #expect(text == "node: x\nkey: \(Self.key)\nseq: 0\nissued: 0\n")
        #expect(LinkStateAdvert(parsing: text) == bare)
    }

    @Test func signedBytesCoverEveryField() {
        let base = Self.full
        let variants = [
            LinkStateAdvert(origin: "n9", key: base.key, sequence: 7, neighbours: base.neighbours, zenki: base.zenki,
                            offers: base.offers, issued: base.issued),
            LinkStateAdvert(origin: "n1", key: base.key, sequence: 8, neighbours: base.neighbours, zenki: base.zenki,
                            offers: base.offers, issued: base.issued),
            LinkStateAdvert(origin: "n1", key: base.key, sequence: 7, neighbours: [AdvertNeighbour("n2")],
                            zenki: base.zenki, offers: base.offers, issued: base.issued),
            LinkStateAdvert(origin: "n1", key: base.key, sequence: 7, neighbours: base.neighbours, zenki: ["calc"],
                            offers: base.offers, issued: base.issued),
            LinkStateAdvert(origin: "n1", key: base.key, sequence: 7, neighbours: base.neighbours, zenki: base.zenki,
                            offers: [], issued: base.issued),
            LinkStateAdvert(origin: "n1", key: base.key, sequence: 7, neighbours: base.neighbours, zenki: base.zenki,
                            offers: base.offers, issued: base.issued + 1),
        ]
        for variant in variants { #expect(variant.signedBytes != base.signedBytes) }
        #expect(base.withSignature([1, 2]).signedBytes == base.signedBytes)
    }

    @Test(arguments: [
        ("missing node", replacing("node: n1\n", with: "")),
        ("fields out of order", replacing("seq: 7\nneighbour: n2 1\n", with: "neighbour: n2 1\nseq: 7\n")),
        ("zenka before neighbour", replacing("neighbour: n5 3\nzenka: calc\n", with: "zenka: calc\nneighbour: n5 3\n")),
        ("repeated single field", replacing("seq: 7\n", with: "seq: 7\nseq: 7\n")),
        ("unknown field", replacing("issued:", with: "colour: red\nissued:")),
        ("blank line", replacing("seq: 7\n", with: "seq: 7\n\n")),
        ("CR line end", replacing("seq: 7\n", with: "seq: 7\r\n")),
        ("no final LF", String(fullText.dropLast())),
        ("two spaces", replacing("seq: 7", with: "seq:  7")),
        ("no space", replacing("seq: 7", with: "seq:7")),
        ("trailing space", replacing("seq: 7", with: "seq: 7 ")),
        ("equals form", replacing("seq: 7", with: "seq = 7")),
        ("leading zero", replacing("seq: 7", with: "seq: 07")),
        ("negative issued", replacing("issued: 1750000000", with: "issued: -1")),
        ("sequence overflow", replacing("seq: 7", with: "seq: 18446744073709551616")),
        ("issued overflow", replacing("issued: 1750000000", with: "issued: 9223372036854775808")),
        ("neighbour without cost", replacing("neighbour: n2 1", with: "neighbour: n2")),
        ("zero cost", replacing("neighbour: n2 1", with: "neighbour: n2 0")),
        ("cost too high", replacing("neighbour: n2 1", with: "neighbour: n2 1000001")),
        ("unsorted neighbours", replacing("neighbour: n2 1\nneighbour: n5 3",
                                          with: "neighbour: n5 3\nneighbour: n2 1")),
        ("duplicate neighbour", replacing("neighbour: n5 3", with: "neighbour: n2 1")),
        ("self as neighbour", replacing("neighbour: n5 3", with: "neighbour: n5 3\nneighbour: n1 1")),
        ("bad neighbour name", replacing("neighbour: n5 3", with: "neighbour: n/5 3")),
        ("duplicate zenka", replacing("zenka: taeki", with: "zenka: calc")),
        ("bad zenka name", replacing("zenka: taeki", with: "zenka: tä")),
        ("offer with three words", replacing("offer: 9 gpu 2 0", with: "offer: 9 gpu 2")),
        ("offer over capacity", replacing("offer: 9 gpu 2 0", with: "offer: 9 gpu 2 3")),
        ("unsorted offers", replacing("offer: 3 storage 1000 400\noffer: 9 gpu 2 0",
                                      with: "offer: 9 gpu 2 0\noffer: 3 storage 1000 400")),
        ("lowercase key", replacing("key: \(key)", with: "key: \(key.lowercased())")),
        ("padded signature", replacing("sig: \(sigText(full.signature))", with: "sig: \(sigText(full.signature))=")),
        ("empty signature", replacing("sig: \(sigText(full.signature))", with: "sig: ")),
        ("line after sig", fullText + "zenka: late\n"),
        ("over-long line", replacing("zenka: taeki", with: "zenka: " + String(repeating: "a", count: 300))),
    ])
    func rejectsMalformedText(reason: String, text: String) {
        #expect(LinkStateAdvert(parsing: text) == nil, "accepted: \(reason)")
    }

    @Test func enforcesTheListLimits() {
        let many = (0..<257).map { AdvertNeighbour("m\($0)") }
        let tooMany = LinkStateAdvert(origin: "n1", key: Self.key, sequence: 1, neighbours: many, issued: 1)
        #expect(!tooMany.isWellFormed)
        #expect(LinkStateAdvert(parsing: tooMany.render()) == nil)
        let enough = LinkStateAdvert(origin: "n1", key: Self.key, sequence: 1, neighbours: Array(many.prefix(256)),
                                     issued: 1)
        #expect(LinkStateAdvert(parsing: enough.render()) == enough)
        let zenki = (0...LinkStateAdvert.maximumZenki).map { "z\($0)" }
        let tooManyZenki = LinkStateAdvert(origin: "n1", key: Self.key, sequence: 1, zenki: zenki, issued: 1)
        #expect(LinkStateAdvert(parsing: tooManyZenki.render()) == nil)
        let huge = Array(repeating: UInt8(ascii: "\n"), count: LinkStateAdvert.maximumTextBytes + 1)
        #expect(LinkStateAdvert(parsing: huge) == nil)
    }
}

extension String {
    /// `self` with every `old` replaced by `new` (no Foundation in this target's sources).
    fileprivate func replacingOccurrences(_ old: String, _ new: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: old) {
            result += rest[..<range.lowerBound] + new
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
