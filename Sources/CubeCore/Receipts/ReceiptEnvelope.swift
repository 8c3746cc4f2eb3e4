/// A `usage-receipts` or `usage-acks` record between two nodes that are not neighbours
/// (docs/market.md "Receipts across the network"): the lines travel over the network's
/// forwarding in headers that name both end nodes, and the sending node signs them, so a
/// node on the way can pass them on but neither alter, forge nor (within
/// ``ReceiptRelayGuard``'s window) replay them.
///
/// Headers, in this order: `from: <node>`, `to: <node>`, `issued: <unix seconds>`,
/// `hops: <n>` (the forwarding budget, 0...32, one less at every node on the way; not
/// signed), `sig: <base32 Ed25519 signature>`. The signature covers
/// `"protocol-7 usage relay v1\n<record> <from> <to> <issued>\n"` and every body line
/// followed by a LF.
package struct ReceiptEnvelope: Equatable, Sendable {
    /// `usage-receipts` or `usage-acks`.
    package let record: String
    /// The node that wrote the lines and signed them.
    package let from: String
    /// The node the lines are for.
    package let to: String
    /// When `from` signed, unix seconds.
    package let issued: Int64
    /// Forwarding steps left.
    package let hops: Int
    /// The record's body: receipt lines, or acknowledgement lines.
    package let lines: [String]
    /// `from`'s signature (empty until signed).
    package let signature: [UInt8]

    /// An envelope from its parts.
    package init(record: String, from: String, to: String, issued: Int64, hops: Int = Topology.maximumHops, lines: [String],
                signature: [UInt8] = []) {
        self.record = record
        self.from = from
        self.to = to
        self.issued = issued
        self.hops = hops
        self.lines = lines
        self.signature = signature
    }

    /// The bytes `from` signs.
    package var signedBytes: [UInt8] {
        var text = "protocol-7 usage relay v1\n\(record) \(from) \(to) \(issued)\n"
        for line in lines { text += line + "\n" }
        return Array(text.utf8)
    }

    /// The same envelope signed by `signer` (which holds `from`'s key).
    package func signed(by signer: some AdvertSigner) -> ReceiptEnvelope {
        ReceiptEnvelope(record: record, from: from, to: to, issued: issued, hops: hops, lines: lines,
                        signature: signer.sign(signedBytes))
    }

    /// Whether the signature is valid for `key` (the key this node pins for `from`).
    package func isSigned(by key: String?, _ verifier: some AdvertVerifier) -> Bool {
        guard let key, !signature.isEmpty else { return false }
        return verifier.verify(signature, of: signedBytes, by: key)
    }

    /// The envelope one node further on, or nil when no hop is left.
    package var forwarded: ReceiptEnvelope? {
        guard hops > 0 else { return nil }
        return ReceiptEnvelope(record: record, from: from, to: to, issued: issued, hops: hops - 1, lines: lines,
                               signature: signature)
    }

    /// The record's headers, in order.
    package var headers: [(key: [UInt8], value: [UInt8])] {
        [("from", from), ("to", to), ("issued", String(issued)), ("hops", String(hops)), ("sig", Base32.encode(signature))]
            .map { (Array($0.0.utf8), Array($0.1.utf8)) }
    }

    /// Reads an envelope from a record's headers and body, strictly: exactly the five headers
    /// in order, node names, canonical numbers and base32; at most ``ReceiptBook/maximumLines``
    /// lines. Nil for anything else.
    package init?(record: String, headers: [(key: [UInt8], value: [UInt8])], body: [[UInt8]]) {
        let keys = ["from", "to", "issued", "hops", "sig"]
        guard headers.count == keys.count, body.count <= ReceiptBook.maximumLines,
              zip(headers, keys).allSatisfy({ $0.0.key.elementsEqual($0.1.utf8) }) else { return nil }
        let values = headers.map { String(decoding: $0.value, as: UTF8.self) }
        guard Names.isUserName(values[0].utf8), Names.isUserName(values[1].utf8), values[0] != values[1],
              let issued = Int64(values[2]), issued >= 0, String(issued) == values[2],
              let hops = Int(values[3]), (0...Topology.maximumHops).contains(hops), String(hops) == values[3],
              let signature = Base32.decode(utf8: values[4].utf8), (1...64).contains(signature.count),
              Base32.encode(signature) == values[4] else { return nil }
        self.init(record: record, from: values[0], to: values[1], issued: issued, hops: hops,
                  lines: body.map { String(decoding: $0, as: UTF8.self) }, signature: signature)
    }
}
