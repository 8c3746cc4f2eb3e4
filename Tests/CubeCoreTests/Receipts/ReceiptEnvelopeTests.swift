import CubeCore
import Testing

/// Records between nodes that are not neighbours (docs/market.md "Receipts across the
/// network"): the envelope's text form, its signature, and the guard that refuses forged,
/// altered, stale, future and replayed envelopes.
@Suite struct ReceiptEnvelopeTests {
    static let aKey = ToyMAC.key(for: "a"), malloryKey = ToyMAC.key(for: "mallory")
    let aSigner = ToySigner(publicKey: aKey), mallory = ToySigner(publicKey: malloryKey)
    let verifier = ToyVerifier()
    static let now: Int64 = 1_795_000_000

    func envelope(issued: Int64 = now, lines: [String] = ["a c 7 1 1 2 3 K K S -", "held 7 9"]) -> ReceiptEnvelope {
        ReceiptEnvelope(record: "usage-receipts", from: "a", to: "c", issued: issued, lines: lines).signed(by: aSigner)
    }

    func parsed(_ envelope: ReceiptEnvelope) -> ReceiptEnvelope? {
        ReceiptEnvelope(record: envelope.record, headers: envelope.headers, body: envelope.lines.map { Array($0.utf8) })
    }

    @Test func headersRoundTripAndEveryNodeOnTheWaySpendsOneHop() throws {
        let sent = envelope()
        #expect(parsed(sent) == sent)
        #expect(sent.headers.map { String(decoding: $0.key, as: UTF8.self) } == ["from", "to", "issued", "hops", "sig"])
        #expect(sent.hops == Topology.maximumHops)
        let passed = try #require(sent.forwarded)
        #expect(passed.hops == sent.hops - 1 && passed.isSigned(by: Self.aKey, verifier))
        var last = sent
        while let next = last.forwarded { last = next }
        #expect(last.hops == 0 && last.forwarded == nil)
    }

    @Test func damagedHeadersAreNotAnEnvelope() {
        let good = envelope().headers
        func with(_ index: Int, _ value: String) -> [(key: [UInt8], value: [UInt8])] {
            var headers = good
            headers[index].value = Array(value.utf8)
            return headers
        }
        for headers in [with(0, "a b"), with(1, "a"), with(2, "01"), with(2, "-1"), with(3, "33"), with(3, "x"), with(4, "!!"),
                        Array(good.dropLast()), Array(good.reversed())] {
            #expect(ReceiptEnvelope(record: "usage-receipts", headers: headers, body: []) == nil)
        }
        let tooMany = Array(repeating: Array("x".utf8), count: ReceiptBook.maximumLines + 1)
        #expect(ReceiptEnvelope(record: "usage-receipts", headers: good, body: tooMany) == nil)
    }

    @Test func theGuardRefusesForgedAlteredStaleFutureAndReplayedEnvelopes() {
        var relay = ReceiptRelayGuard()
        let sent = envelope()
        func admit(_ envelope: ReceiptEnvelope, at now: Int64 = Self.now) -> ReceiptRelayGuard.Refusal? {
            relay.admit(envelope, now: now, senderKey: Self.aKey, verifier: verifier)
        }
        // Altered on the way: a line, the addressee, the time.
        let altered = ReceiptEnvelope(record: sent.record, from: "a", to: "c", issued: sent.issued,
                                      lines: ["a c 7 1 1 2 4 K K S -", "held 7 9"], signature: sent.signature)
        #expect(admit(altered) == .forged)
        #expect(admit(ReceiptEnvelope(record: sent.record, from: "a", to: "d", issued: sent.issued, lines: sent.lines,
                                      signature: sent.signature)) == .forged)
        #expect(admit(ReceiptEnvelope(record: "usage-acks", from: "a", to: "c", issued: sent.issued, lines: sent.lines,
                                      signature: sent.signature)) == .forged)
        // Signed by another key than the one pinned for `a`.
        let forged = ReceiptEnvelope(record: sent.record, from: "a", to: "c", issued: sent.issued, lines: sent.lines).signed(by: mallory)
        #expect(admit(forged) == .forged)
        #expect(relay.admit(sent, now: Self.now, senderKey: nil, verifier: verifier) == .forged)
        #expect(admit(envelope(issued: Self.now - ReceiptRelayGuard.window)) == .stale)
        #expect(admit(envelope(issued: Self.now + ReceiptBook.clockSkew + 1)) == .future)
        // The genuine one once, then never again; the hop count is not signed.
        #expect(admit(sent) == nil)
        #expect(admit(sent) == .replayed)
        #expect(sent.forwarded.map { admit($0, at: Self.now + 1) } == .replayed)
        #expect(admit(envelope(issued: Self.now + 1)) == nil)
        #expect(relay.count == 2)
        relay.forget(before: Self.now + 1)
        #expect(relay.count == 1)
        // Once forgotten, the window has passed: stale, never admitted again.
        #expect(admit(sent, at: Self.now + ReceiptRelayGuard.window) == .stale)
    }

    @Test func theGuardStaysWithinItsCapacity() {
        var relay = ReceiptRelayGuard()
        for index in 0..<(ReceiptRelayGuard.capacity + 10) {
            let sent = envelope(lines: ["held \(index)"])
            #expect(relay.admit(sent, now: Self.now, senderKey: Self.aKey, verifier: verifier) == nil)
        }
        #expect(relay.count == ReceiptRelayGuard.capacity)
    }

    @Test func thePayerClauseIsSplitOffOnlyAtTheEnd() {
        #expect(PayerClause.split(["1", "100", "60", "payer", "n1"])?.words == ["1", "100", "60"])
        #expect(PayerClause.split(["1", "100", "payer", "n1"])?.payer == "n1")
        #expect(PayerClause.split(["1", "100", "run", "calc", "payer", "n1"])?.words == ["1", "100", "run", "calc"])
        #expect(PayerClause.split(["1", "payer", "n1"]) == nil)
        #expect(PayerClause.split(["1", "100", "payer", "n 1"]) == nil)
        #expect(PayerClause.split(["1", "100", "60", "payer"]) == nil)
        #expect(PayerClause.suffix("n1") == " payer n1")
    }
}
