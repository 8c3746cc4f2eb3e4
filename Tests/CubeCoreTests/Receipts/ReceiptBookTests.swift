import CubeCore
import Foundation
import Testing

/// Usage receipts between two nodes (docs/market.md "Usage receipts"): node `a` (the payer)
/// charges its user `alice` for lease 7 of node `b` (the payee), whose provider is `store`.
/// Signatures are ToyMAC (keyed hashes), so every line is deterministic.
@Suite struct ReceiptBookTests {
    static let aKey = ToyMAC.key(for: "a"), bKey = ToyMAC.key(for: "b"), malloryKey = ToyMAC.key(for: "mallory")
    let aSigner = ToySigner(publicKey: aKey), bSigner = ToySigner(publicKey: bKey)
    let verifier = ToyVerifier()
    /// Each node's pinned keys of the others.
    let pinned = ["a": aKey, "b": bKey, "mallory": malloryKey]
    /// 2 credits per unit per hour (2000 millicredits) for 360 units: 200 millicredits a second.
    static let start: Int64 = 1_795_000_000

    /// Both books with the lease open: a's tab and b's account.
    func books() -> (payer: ReceiptBook, payee: ReceiptBook) {
        var payer = ReceiptBook(), payee = ReceiptBook()
        payer.journaling = true
        payee.journaling = true
        payer.open(PayerTab(node: "b", lease: 7, user: "alice", amount: 360, price: 2000, chargedUntil: Self.start))
        payee.open(PayeeAccount(payer: "a", payerKey: Self.aKey, lease: 7, providerUser: "store", amount: 360, price: 2000,
                                paidUntil: Self.start))
        return (payer, payee)
    }

    func charge(_ payer: inout ReceiptBook, at wall: Int64) -> [(ReceiptPosting, UsageReceipt)] {
        payer.charge(now: wall, interval: 60, localNode: "a", signer: aSigner, payeeKey: { pinned[$0] })
    }

    func settle(_ payee: inout ReceiptBook, _ line: String, at wall: Int64) -> SettleOutcome {
        payee.settle(line, now: wall, localNode: "b", signer: bSigner, verifier: verifier, pinnedKey: { pinned[$0] })
    }

    @Test func theTextFormRoundTripsAndRejectsDamage() throws {
        var (payer, _) = books()
        let receipt = try #require(charge(&payer, at: Self.start + 60).first?.1)
        #expect(UsageReceipt(text: receipt.text) == receipt)
        let acked = receipt.countersigned(by: bSigner)
        #expect(UsageReceipt(text: acked.text) == acked)
        #expect(acked.bothSigned(verifier) && receipt.payerSigned(verifier) && !receipt.bothSigned(verifier))
        let text = receipt.text
        for damaged in [text.replacingOccurrences(of: " 7 1 ", with: " 07 1 "), text.replacingOccurrences(of: " 7 1 ", with: " 7 0 "),
                        text.replacingOccurrences(of: " ", with: "  "), String(text.dropLast(2)),
                        text.replacingOccurrences(of: "\(Self.start + 60)", with: "\(Self.start)"),
                        text.replacingOccurrences(of: "a b ", with: "a b? "), text + " x",
                        String(repeating: "x", count: 2000)] {
            #expect(UsageReceipt(text: damaged) == nil, "\(damaged)")
        }
    }

    /// The exchange over the link, byte for byte (``exchange``; docs/market.md shows it).
    @Test func theLinkExchangeSettlesEachChargeOnceAndBothLedgersAgree() throws {
        var (payer, payee) = books()
        var transcript: [String] = []
        var aLedger: [Int64] = [], bLedger: [Int64] = []
        func exchange(_ receipts: [UsageReceipt], at wall: Int64) {
            transcript.append("a -> b usage-receipts")
            transcript += receipts.map { "  " + $0.text }
            transcript.append("b -> a usage-acks")
            for receipt in receipts {
                let outcome = settle(&payee, receipt.text, at: wall)
                if case .accepted(_, let posting) = outcome { bLedger.append(posting.delta) }
                transcript.append("  " + outcome.line)
                if case .accepted(let ack, _) = outcome { let ok = payer.acknowledge(ack, from: "b", payeeKey: Self.bKey, verifier: verifier); #expect(ok) }
                if case .again(let ack) = outcome { let ok = payer.acknowledge(ack, from: "b", payeeKey: Self.bKey, verifier: verifier); #expect(!ok) }
            }
        }
        // Not due before a whole interval has passed.
        #expect(charge(&payer, at: Self.start + 59).isEmpty)
        for step in 1...3 {
            let charged = charge(&payer, at: Self.start + Int64(step) * 60)
            #expect(charged.count == 1)
            aLedger += charged.map(\.0.delta)
            exchange(charged.map(\.1), at: Self.start + Int64(step) * 60)
        }
        // The third receipt sent again (its acknowledgement was lost): acknowledged again, counted once.
        let third = try #require(payee.accounts[7]?.accepted[3]?.unacknowledged)
        exchange([third], at: Self.start + 200)
        // The lease ends at +210: a last receipt for 30 s, and the tab is done.
        #expect(payee.leaseEnded(7, at: Self.start + 210) == "a")
        transcript += ["b -> a usage-acks", "  ended 7 \(Self.start + 210)"]
        let last = payer.ended(node: "b", lease: 7, at: Self.start + 210, localNode: "a", signer: aSigner, payeeKey: { pinned[$0] })
        aLedger += last.map(\.0.delta)
        exchange(last.map(\.1), at: Self.start + 211)
        #expect(payer.tabs.isEmpty && payer.pending(to: "b").isEmpty)
        #expect(aLedger == [-12000, -12000, -12000, -6000])
        #expect(aLedger.map { -$0 } == bLedger)
        let text = transcript.joined(separator: "\n") + "\n"
        if text != Self.exchange { print(text) }
        #expect(text == Self.exchange)
    }

    /// The records of ``theLinkExchangeSettlesEachChargeOnceAndBothLedgersAgree()``, one line each
    /// (the records' bodies indented).
    static let exchange = """
        a -> b usage-receipts
          a b 7 1 1795000000 1795000060 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 6WYZY5JXFAVDW -
        b -> a usage-acks
          a b 7 1 1795000000 1795000060 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 6WYZY5JXFAVDW KJEVVQOAJAUQ2
        a -> b usage-receipts
          a b 7 2 1795000060 1795000120 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA FGOKGMUNXUD56 -
        b -> a usage-acks
          a b 7 2 1795000060 1795000120 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA FGOKGMUNXUD56 24MRXRKOJTUJC
        a -> b usage-receipts
          a b 7 3 1795000120 1795000180 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 77QPY6V5C75DG -
        b -> a usage-acks
          a b 7 3 1795000120 1795000180 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 77QPY6V5C75DG 5QH6RUVDLUEWA
        a -> b usage-receipts
          a b 7 3 1795000120 1795000180 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 77QPY6V5C75DG -
        b -> a usage-acks
          a b 7 3 1795000120 1795000180 12000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 77QPY6V5C75DG 5QH6RUVDLUEWA
        b -> a usage-acks
          ended 7 1795000210
        a -> b usage-receipts
          a b 7 4 1795000180 1795000210 6000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA EC5M6EYUCWPB6 -
        b -> a usage-acks
          a b 7 4 1795000180 1795000210 6000 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA EC5M6EYUCWPB6 N5YE3OOTEK5QM

        """

    @Test func aForgedReceiptIsRefused() throws {
        var (payer, payee) = books()
        let receipt = try #require(charge(&payer, at: Self.start + 60).first?.1)
        let mallory = ToySigner(publicKey: Self.malloryKey)
        /// The genuine receipt's period and amount under other names, keys and signer.
        func variant(payer: String = "a", payerKey: String = Self.aKey, payeeKey: String = Self.bKey, by signer: ToySigner) -> String {
            UsageReceipt(payer: payer, payee: "b", lease: 7, sequence: 1, from: receipt.from, to: receipt.to, amount: receipt.amount,
                         payerKey: payerKey, payeeKey: payeeKey).signed(by: signer).text
        }
        // Signed by another key but claiming a's; signed properly with a key that is not the one pinned for a.
        #expect(settle(&payee, variant(by: mallory), at: Self.start + 60) == .refused(lease: 7, sequence: 1, .forged))
        #expect(settle(&payee, variant(payerKey: Self.malloryKey, by: mallory), at: Self.start + 60)
            == .refused(lease: 7, sequence: 1, .forged))
        // Another node paying for a's lease.
        #expect(settle(&payee, variant(payer: "mallory", payerKey: Self.malloryKey, by: mallory), at: Self.start + 60)
            == .refused(lease: 7, sequence: 1, .unknownLease))
        // Addressed to another node or key, or already countersigned, or not a receipt.
        #expect(settle(&payee, variant(payeeKey: Self.malloryKey, by: aSigner), at: Self.start + 60)
            == .refused(lease: 7, sequence: 1, .notForUs))
        #expect(settle(&payee, receipt.countersigned(by: bSigner).text, at: Self.start + 60) == .refused(lease: 0, sequence: 0, .malformed))
        #expect(settle(&payee, "hello", at: Self.start + 60) == .refused(lease: 0, sequence: 0, .malformed))
        // Nothing was credited; the genuine one still is.
        #expect(payee.accounts[7]?.lastSequence == 0)
        guard case .accepted = settle(&payee, receipt.text, at: Self.start + 60) else { Issue.record("genuine refused"); return }
        // A forged acknowledgement settles nothing on the payer's side.
        let forgedAck = receipt.countersigned(by: mallory)
        let acknowledged = payer.acknowledge(forgedAck, from: "b", payeeKey: Self.bKey, verifier: verifier)
        #expect(!acknowledged)
        #expect(payer.pending(to: "b") == [receipt])
    }

    @Test func anAlteredReceiptIsRefused() throws {
        var (payer, payee) = books()
        let receipt = try #require(charge(&payer, at: Self.start + 60).first?.1)
        // A field changed after signing: the signature no longer matches.
        for altered in [receipt.text.replacingOccurrences(of: " 12000 ", with: " 1200 "),
                        receipt.text.replacingOccurrences(of: " \(Self.start + 60) ", with: " \(Self.start + 30) ")] {
            #expect(settle(&payee, altered, at: Self.start + 60) == .refused(lease: 7, sequence: 1, .forged), "\(altered)")
        }
        // Signed by the payer but for less than the lease costs, or starting elsewhere, or in the future.
        func signed(seq: UInt64 = 1, from: Int64 = Self.start, to: Int64, amount: Int64) -> String {
            UsageReceipt(payer: "a", payee: "b", lease: 7, sequence: seq, from: from, to: to, amount: amount,
                         payerKey: Self.aKey, payeeKey: Self.bKey).signed(by: aSigner).text
        }
        #expect(settle(&payee, signed(to: Self.start + 60, amount: 1), at: Self.start + 60) == .refused(lease: 7, sequence: 1, .wrongAmount))
        #expect(settle(&payee, signed(from: Self.start + 1, to: Self.start + 60, amount: 11800), at: Self.start + 60)
            == .refused(lease: 7, sequence: 1, .outOfOrder))
        #expect(settle(&payee, signed(seq: 2, to: Self.start + 60, amount: 12000), at: Self.start + 60)
            == .refused(lease: 7, sequence: 2, .outOfOrder))
        #expect(settle(&payee, signed(to: Self.start + 600, amount: 120_000), at: Self.start + 60) == .refused(lease: 7, sequence: 1, .future))
        guard case .accepted = settle(&payee, receipt.text, at: Self.start + 60) else { Issue.record("genuine refused"); return }
        // The same lease and sequence again with other contents (validly signed): a conflict, not counted.
        #expect(settle(&payee, signed(to: Self.start + 30, amount: 6000), at: Self.start + 60) == .refused(lease: 7, sequence: 1, .conflict))
        #expect(payee.accounts[7]?.paidUntil == Self.start + 60)
    }

    @Test func aReceiptHandedInByAnotherNodeThanItsPayerIsRefused() throws {
        var (payer, payee) = books()
        let receipt = try #require(charge(&payer, at: Self.start + 60).first?.1)
        // Genuine, but from mallory (a node on the way): refused, never counted, even once accepted.
        let fromMallory = payee.settle(receipt.text, from: "mallory", now: Self.start + 60, localNode: "b", signer: bSigner,
                                       verifier: verifier, pinnedKey: { pinned[$0] })
        #expect(fromMallory == .refused(lease: 7, sequence: 1, .forged))
        #expect(payee.accounts[7]?.lastSequence == 0)
        let fromA = payee.settle(receipt.text, from: "a", now: Self.start + 60, localNode: "b", signer: bSigner,
                                 verifier: verifier, pinnedKey: { pinned[$0] })
        guard case .accepted = fromA else { Issue.record("genuine refused: \(fromA)"); return }
        let replayed = payee.settle(receipt.text, from: "mallory", now: Self.start + 61, localNode: "b", signer: bSigner,
                                    verifier: verifier, pinnedKey: { pinned[$0] })
        #expect(replayed == .refused(lease: 7, sequence: 1, .forged))
    }

    @Test func aReplayedReceiptIsCountedOnceAlsoAfterARestart() throws {
        var (payer, payee) = books()
        let receipt = try #require(charge(&payer, at: Self.start + 60).first?.1)
        guard case .accepted(let ack, let posting) = settle(&payee, receipt.text, at: Self.start + 60) else {
            Issue.record("refused"); return
        }
        #expect(posting == ReceiptPosting(user: "store", delta: 12000, lease: 7, note: "lease 7 income 60 s from a"))
        #expect(settle(&payee, receipt.text, at: Self.start + 61) == .again(ack: ack))
        // What the store keeps, read back as a restarted node would.
        let records = payee.takeChanges()
        var accounts: [PayeeAccount] = [], receipts: [UsageReceipt] = []
        for record in records {
            if case .account(let account) = record { accounts.append(account) }
            if case .receipt(let stored) = record { receipts.append(stored) }
        }
        #expect(receipts == [ack])
        var restarted = ReceiptBook.restored(tabs: [], accounts: accounts, receipts: receipts)
        #expect(restarted.accounts[7]?.lastSequence == 1)
        #expect(restarted.settle(receipt.text, now: Self.start + 90, localNode: "b", signer: bSigner, verifier: verifier,
                                 pinnedKey: { pinned[$0] }) == .again(ack: ack))
        // The payer restarted before it stored the acknowledgement: the receipt is pending again.
        var payerRecords: [PayerTab] = [], pending: [UsageReceipt] = []
        for record in payer.takeChanges() {
            if case .tab(let tab) = record { payerRecords.append(tab) }
            if case .receipt(let stored) = record { pending.append(stored) }
        }
        var payerAgain = ReceiptBook.restored(tabs: payerRecords, accounts: [], receipts: pending)
        #expect(payerAgain.pending(to: "b") == [receipt])
        let acknowledged = payerAgain.acknowledge(ack, from: "b", payeeKey: Self.bKey, verifier: verifier)
        #expect(acknowledged)
        #expect(payerAgain.pending(to: "b").isEmpty)
        // The next charge continues the sequence from the stored tab.
        let next = try #require(payerAgain.charge(now: Self.start + 120, interval: 60, localNode: "a", signer: aSigner,
                                                  payeeKey: { pinned[$0] }).first?.1)
        #expect(next.sequence == 2 && next.from == Self.start + 60)
    }

    @Test func aReceiptPastTheEndIsRefundedAndReplacedUpToTheEnd() throws {
        var (payer, payee) = books()
        // The lease ended at +100 and the payer did not hear of it (its link was down).
        #expect(payee.leaseEnded(7, at: Self.start + 100) == "a")
        let first = try #require(charge(&payer, at: Self.start + 60).first)
        let second = try #require(charge(&payer, at: Self.start + 120).first)
        guard case .accepted = settle(&payee, first.1.text, at: Self.start + 130) else { Issue.record("first refused"); return }
        let refusal = settle(&payee, second.1.text, at: Self.start + 130)
        #expect(refusal == .refused(lease: 7, sequence: 2, .ended(Self.start + 100)))
        let (postings, replacements) = payer.refused(node: "b", lease: 7, sequence: 2, reason: .ended(Self.start + 100), localNode: "a",
                                                     signer: aSigner, payeeKey: { pinned[$0] })
        #expect(postings.map(\.delta) == [12000, -8000])
        let replacement = try #require(replacements.first)
        #expect(replacement.sequence == 2 && replacement.from == Self.start + 60 && replacement.to == Self.start + 100)
        guard case .accepted(let ack, let posting) = settle(&payee, replacement.text, at: Self.start + 131) else {
            Issue.record("replacement refused"); return
        }
        #expect(posting.delta == 8000)
        let acknowledged = payer.acknowledge(ack, from: "b", payeeKey: Self.bKey, verifier: verifier)
        #expect(acknowledged)
        // Charged 12 + 12 - 12 + 8 = 20 credits, paid 12 + 8.
        #expect(postings.map(\.delta).reduce(first.0.delta + second.0.delta, +) == -(12000 + posting.delta))
        // The first one's acknowledgement was lost; it is still pending and gets acknowledged again.
        guard case .again(let firstAck) = settle(&payee, first.1.text, at: Self.start + 140) else { Issue.record("not again"); return }
        let acknowledgedAgain = payer.acknowledge(firstAck, from: "b", payeeKey: Self.bKey, verifier: verifier)
        #expect(acknowledgedAgain)
        #expect(payer.tabs.isEmpty)
        // A refusal that cannot be mended refunds and closes; one that can (future) waits.
        var (other, _) = books()
        let early = try #require(charge(&other, at: Self.start + 60).first?.1)
        #expect(other.refused(node: "b", lease: 7, sequence: 1, reason: .future, localNode: "a", signer: aSigner,
                              payeeKey: { pinned[$0] }).postings.isEmpty)
        #expect(other.pending(to: "b") == [early])
        let (refunds, none) = other.refused(node: "b", lease: 7, sequence: 1, reason: .unknownLease, localNode: "a", signer: aSigner,
                                            payeeKey: { pinned[$0] })
        #expect(refunds.map(\.delta) == [12000] && none.isEmpty && other.tabs.isEmpty)
    }

    @Test func refusalWordsRoundTrip() {
        for reason: ReceiptRefusal in [.malformed, .notForUs, .forged, .unknownLease, .conflict, .outOfOrder, .wrongAmount, .future,
                                       .ended(12)] {
            #expect(ReceiptRefusal(text: reason.text) == reason)
        }
        #expect(ReceiptRefusal(text: "ended x") == nil && ReceiptRefusal(text: "bogus") == nil)
    }
}
