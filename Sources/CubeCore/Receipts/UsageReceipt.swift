/// One signed usage receipt (docs/market.md "Usage receipts"): the consumer's node (the
/// payer) declares that it charged its user `amount` millicredits for lease `lease` of the
/// provider's node (the payee) from `from` to `to`, and the payee countersigns it when it has
/// credited its provider. A receipt is checked, never trusted: both signatures cover every
/// field, and the payee accepts each (payer, lease, sequence) once.
///
/// Text form, one line (the `usage-receipts` and `usage-acks` link records, the store):
/// `<payer> <payee> <lease> <seq> <from> <to> <millicredits> <payer-key> <payee-key> <payer-sig> <payee-sig>`
/// — node names, decimal numbers (unix seconds for the period), base32 keys and signatures;
/// `-` for a payee signature not given yet. The payer signs
/// `"protocol-7 usage receipt v1\n<payer> … <payee-key>\n"` (the first nine fields); the payee
/// signs `"protocol-7 usage receipt ack v1\n<payer> … <payee-key> <payer-sig>\n"`. The domain
/// prefixes keep either from being valid as an advert, revocation or handshake signature.
/// CubeCore holds no cryptography: signing and checking go through ``AdvertSigner`` /
/// ``AdvertVerifier`` (Ed25519 with the nodes' identity keys in the daemon).
package struct UsageReceipt: Equatable, Sendable {
    /// The longest text form accepted, in bytes (a real one is about 420).
    package static let maximumLineBytes = 1024

    /// The consumer's node, which charged its user and pays.
    package let payer: String
    /// The provider's node, which holds the lease and credits its provider.
    package let payee: String
    /// The lease id on the payee.
    package let lease: UInt64
    /// 1 for a lease's first receipt, one more for each next one.
    package let sequence: UInt64
    /// The period charged, unix seconds; `to` > `from`.
    package let from: Int64
    package let to: Int64
    /// Millicredits charged for the period.
    package let amount: Int64
    /// Both nodes' identity keys, base32.
    package let payerKey: String
    package let payeeKey: String
    package let payerSignature: [UInt8]
    /// Empty until the payee countersigned.
    package let payeeSignature: [UInt8]

    /// A receipt from its parts.
    package init(payer: String, payee: String, lease: UInt64, sequence: UInt64, from: Int64, to: Int64, amount: Int64,
                payerKey: String, payeeKey: String, payerSignature: [UInt8] = [], payeeSignature: [UInt8] = []) {
        self.payer = payer
        self.payee = payee
        self.lease = lease
        self.sequence = sequence
        self.from = from
        self.to = to
        self.amount = amount
        self.payerKey = payerKey
        self.payeeKey = payeeKey
        self.payerSignature = payerSignature
        self.payeeSignature = payeeSignature
    }

    /// The nine fields both signatures cover.
    var fields: String {
        "\(payer) \(payee) \(lease) \(sequence) \(from) \(to) \(amount) \(payerKey) \(payeeKey)"
    }

    /// The bytes the payer signs.
    package var signedBytes: [UInt8] { Array("protocol-7 usage receipt v1\n\(fields)\n".utf8) }

    /// The bytes the payee countersigns: the payer's fields and signature.
    package var countersignedBytes: [UInt8] {
        Array("protocol-7 usage receipt ack v1\n\(fields) \(Base32.encode(payerSignature))\n".utf8)
    }

    /// The same receipt signed by the payer (`signer` holds the payer's key).
    package func signed(by signer: some AdvertSigner) -> UsageReceipt {
        UsageReceipt(payer: payer, payee: payee, lease: lease, sequence: sequence, from: from, to: to, amount: amount,
                     payerKey: payerKey, payeeKey: payeeKey, payerSignature: signer.sign(signedBytes))
    }

    /// The same receipt countersigned by the payee (`signer` holds the payee's key).
    package func countersigned(by signer: some AdvertSigner) -> UsageReceipt {
        UsageReceipt(payer: payer, payee: payee, lease: lease, sequence: sequence, from: from, to: to, amount: amount,
                     payerKey: payerKey, payeeKey: payeeKey, payerSignature: payerSignature,
                     payeeSignature: signer.sign(countersignedBytes))
    }

    /// Whether the payer's signature is valid for ``payerKey``.
    package func payerSigned(_ verifier: some AdvertVerifier) -> Bool {
        !payerSignature.isEmpty && verifier.verify(payerSignature, of: signedBytes, by: payerKey)
    }

    /// Whether both signatures are valid for their keys.
    package func bothSigned(_ verifier: some AdvertVerifier) -> Bool {
        payerSigned(verifier) && !payeeSignature.isEmpty && verifier.verify(payeeSignature, of: countersignedBytes, by: payeeKey)
    }

    /// The same receipt without the payee's signature (what the payer sent).
    package var unacknowledged: UsageReceipt {
        UsageReceipt(payer: payer, payee: payee, lease: lease, sequence: sequence, from: from, to: to, amount: amount,
                     payerKey: payerKey, payeeKey: payeeKey, payerSignature: payerSignature)
    }

    /// The one-line text form.
    package var text: String {
        let countersignature = payeeSignature.isEmpty ? "-" : Base32.encode(payeeSignature)
        return "\(fields) \(Base32.encode(payerSignature)) \(countersignature)"
    }

    /// Parses the one-line text form strictly: eleven fields, single spaces, canonical decimal
    /// numbers, node names, canonical base32; `from` < `to`, a positive sequence, an amount
    /// of at least 0.
    package init?(text: some StringProtocol) {
        guard text.utf8.count <= Self.maximumLineBytes else { return nil }
        let fields = String(text).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        func number(_ field: String) -> Int64? {
            guard let value = Int64(field), value >= 0, String(value) == field else { return nil }
            return value
        }
        func base32(_ field: String, bytes: ClosedRange<Int>) -> [UInt8]? {
            guard let decoded = Base32.decode(utf8: field.utf8), bytes.contains(decoded.count),
                  Base32.encode(decoded) == field else { return nil }
            return decoded
        }
        guard fields.count == 11, Names.isUserName(fields[0].utf8), Names.isUserName(fields[1].utf8),
              let lease = number(fields[2]), let sequence = number(fields[3]), sequence > 0,
              let from = number(fields[4]), let to = number(fields[5]), from < to, let amount = number(fields[6]),
              base32(fields[7], bytes: 32...32) != nil, base32(fields[8], bytes: 32...32) != nil,
              let payerSignature = base32(fields[9], bytes: 1...64)
        else { return nil }
        var payeeSignature: [UInt8] = []
        if fields[10] != "-" {
            guard let decoded = base32(fields[10], bytes: 1...64) else { return nil }
            payeeSignature = decoded
        }
        self.init(payer: fields[0], payee: fields[1], lease: UInt64(lease), sequence: UInt64(sequence), from: from, to: to,
                  amount: amount, payerKey: fields[7], payeeKey: fields[8], payerSignature: payerSignature,
                  payeeSignature: payeeSignature)
    }

    /// What a lease of `amount` units at `price` millicredits per unit per hour costs for the
    /// wall-clock seconds `from`..`to`: the market's fixed grid (``Market/cost(price:amount:from:to:)``,
    /// docs/market.md "Prices and credits"), so both nodes compute the same amount and receipts
    /// in any steps add up to the whole.
    package static func cost(price: Int64, amount: UInt64, from: Int64, to: Int64) -> Int64 {
        Market.cost(price: price, amount: amount, from: from, to: max(from, to))
    }
}
