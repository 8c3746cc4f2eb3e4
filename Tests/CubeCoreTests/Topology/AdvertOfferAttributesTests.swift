@testable import CubeCore
import Testing

/// Offers in adverts carry their `key=value` attributes (docs/protocol.md §8.3): within the
/// line and attribute bounds, in the text form and under the signature.
@Suite struct AdvertOfferAttributesTests {
    private func offer(_ attributes: [String]) -> Offer {
        Offer(id: 3, kind: "storage", capacity: 1000, attributes: attributes, provider: 1, providerUser: "p", created: 0,
              requirement: nil)
    }

    @Test func attributesRoundTripAndAreSigned() throws {
        let plain = LinkStateAdvert(origin: "n1", key: ToyMAC.key(for: "n1"), sequence: 1, neighbours: [], zenki: [],
                                    offers: [AdvertOffer(offer([]))], issued: 5, signature: [])
        let priced = LinkStateAdvert(origin: "n1", key: ToyMAC.key(for: "n1"), sequence: 1, neighbours: [], zenki: [],
                                     offers: [AdvertOffer(offer(["price=2", "region=eu"]))], issued: 5, signature: [])
            .signed(by: ToySigner(publicKey: ToyMAC.key(for: "n1")))
        let text = String(decoding: priced.render(), as: UTF8.self)
        #expect(text.contains("offer: 3 storage 1000 1000 price=2 region=eu\n"))
        #expect(LinkStateAdvert(parsing: priced.render()) == priced)
        #expect(plain.signedBytes != priced.signedBytes)
    }

    @Test func onlyWhatFitsTheLineAndIsWellFormedIsAdvertised() {
        let long = (0..<40).map { "k\($0)=\(String(repeating: "v", count: 10))" }
        let advertised = AdvertOffer(offer(long))
        #expect(advertised.attributes.count <= AdvertOffer.maximumAttributes)
        let line = (["offer: 3 storage 1000 1000"] + advertised.attributes).joined(separator: " ")
        #expect(line.utf8.count <= LinkStateAdvert.maximumLineBytes)
        #expect(AdvertOffer(offer(["ok=1", "caf\u{e9}=x", "=bad", "also=2"])).attributes == ["ok=1", "also=2"])
        #expect(!AdvertOffer(id: 1, kind: "storage", capacity: 1, available: 1, attributes: ["nokey"]).isWellFormed)
        #expect(AdvertTextReader.offer("1 storage 10 5 a=1  b=2") .map(\.isWellFormed) == false)
    }

    /// The price goes right after the reputation attributes, whatever the offer's order: other
    /// nodes check credit and grants against it, and long attributes pushed it off the line.
    @Test func thePriceAlwaysFitsTheLine() {
        let long = (0..<12).map { "k\($0)=\(String(repeating: "v", count: 16))" }
        let advertised = AdvertOffer(offer(long + ["price=2"]), reputation: ["granted=3"])
        #expect(Array(advertised.attributes.prefix(2)) == ["granted=3", "price=2"])
        #expect(!AdvertOffer(offer(long + ["price=2"])).attributes.filter { $0.hasPrefix("k") }.isEmpty)
    }

    /// A live attribute added later (a compute offer's `load=`) only when it fits the line:
    /// past 256 bytes other nodes rejected the whole advert (a second reader's finding).
    @Test func anAttributeAddedLaterStaysWithinTheLine() throws {
        let long = (0..<13).map { "k\($0)=\(String(repeating: "v", count: 16))" }
        let full = AdvertOffer(offer(long))
        let loaded = full.adding("load=" + String(repeating: "9", count: 30))
        let line = (["offer: 3 storage 1000 1000"] + loaded.attributes).joined(separator: " ")
        #expect(line.utf8.count <= LinkStateAdvert.maximumLineBytes)
        #expect(loaded == full, "no room: left out")
        #expect(AdvertOffer(offer(["runs=work"])).adding("load=8").attributes == ["runs=work", "load=8"])
        let advert = LinkStateAdvert(origin: "n1", key: ToyMAC.key(for: "n1"), sequence: 1, neighbours: [], zenki: [],
                                     offers: [loaded], issued: 5, signature: [])
        #expect(LinkStateAdvert(parsing: advert.render()) != nil)
    }
}
