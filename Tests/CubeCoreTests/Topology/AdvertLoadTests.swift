import CubeCore
import Testing

/// `load:` lines of adverts (docs/pooling.md "Remote instances").
@Suite struct AdvertLoadTests {
    static let key = ToyMAC.key(for: "n1")

    @Test func loadsRoundTripAfterOffersAndAreSigned() throws {
        let advert = LinkStateAdvert(origin: "n1", key: Self.key, sequence: 3, zenki: ["calc"],
                                     loads: [AdvertLoad(name: "zz", instances: 1, outstanding: 0),
                                             AdvertLoad(name: "calc", instances: 2, outstanding: 8)],
                                     issued: 5)
        let text = String(decoding: advert.render(), as: UTF8.self)
        #expect(text == "node: n1\nkey: \(Self.key)\nseq: 3\nzenka: calc\nload: calc 2 8\nload: zz 1 0\nissued: 5\n")
        #expect(LinkStateAdvert(parsing: text) == advert)
        let bare = LinkStateAdvert(origin: "n1", key: Self.key, sequence: 3, zenki: ["calc"], issued: 5)
        #expect(advert.signedBytes != bare.signedBytes)
        #expect(advert.signedBytes.starts(with: bare.signedBytes))
    }

    /// Any 32-bit counts a node advertises divide without trapping (before, `outstanding +
    /// instances - 1` overflowed: `load: calc 2 4294967295` crashed every node reading it).
    @Test func perInstanceNeverOverflows() {
        #expect(AdvertLoad(name: "calc", instances: 2, outstanding: .max).perInstance == 2_147_483_648)
        #expect(AdvertLoad(name: "calc", instances: .max, outstanding: .max).perInstance == 1)
        #expect(AdvertLoad(name: "calc", instances: 3, outstanding: 7).perInstance == 3)
        #expect(AdvertLoad.perInstance(.max, 1) == .max)
        #expect(AdvertLoad.perInstance(5, 0) == .max)
        // Parsed from a link exactly as a hostile node would send it.
        let text = "node: n9\nkey: \(String(repeating: "A", count: 52))\nseq: 1\nload: calc 2 4294967295\nissued: 1\n"
        #expect(LinkStateAdvert(parsing: text)?.loads.first?.perInstance == 2_147_483_648)
    }

    @Test func malformedLoadsAreRejected() {
        let head = "node: n1\nkey: \(Self.key)\nseq: 3\n"
        for lines in ["load: zz 1 0\nload: calc 1 0\n", "load: calc 0 0\n", "load: calc 1\n", "load: calc 01 0\n",
                      "load: calc 1 0\nload: calc 1 0\n", "load: calc 1 4294967296\n"] {
            #expect(LinkStateAdvert(parsing: head + lines + "issued: 5\n") == nil, "\(lines)")
        }
    }
}
