import CubeCore

// Usage receipts in the market's store (docs/market.md "Usage receipts"), written in the same
// transaction as the ledger entries they cause.
extension SQLiteMarketStore {
    /// Reads the tabs, the accounts and the receipts still needed: those not acknowledged
    /// (the payer sends them again) and those of the accounts (the payee acknowledges them again).
    static func loadReceipts(from database: SQLiteDatabase, into snapshot: inout MarketSnapshot) throws(StoreError) {
        let tabs = "SELECT node, lease, user, amount, price, charged_until, next_seq, closed, expires FROM receipt_tabs"
        for row in try database.query(tabs) {
            guard row.count == 9, let node = row[0].text, let lease = row[1].integer, let user = row[2].text,
                  let amount = row[3].integer, let price = row[4].integer, let charged = row[5].integer,
                  let next = row[6].integer, let closed = row[7].integer else { continue }
            snapshot.tabs.append(PayerTab(node: node, lease: UInt64(bitPattern: lease), user: user, amount: UInt64(bitPattern: amount),
                                          price: price, chargedUntil: charged, nextSequence: UInt64(bitPattern: next),
                                          closed: closed != 0, expires: row[8].integer))
        }
        let accounts = "SELECT lease, payer, payer_key, provider_user, amount, price, paid_until, last_seq, ended FROM receipt_accounts"
        for row in try database.query(accounts) {
            guard row.count == 9, let lease = row[0].integer, let payer = row[1].text, let key = row[2].text, let user = row[3].text,
                  let amount = row[4].integer, let price = row[5].integer, let paid = row[6].integer,
                  let last = row[7].integer else { continue }
            snapshot.accounts.append(PayeeAccount(payer: payer, payerKey: key, lease: UInt64(bitPattern: lease), providerUser: user,
                                                  amount: UInt64(bitPattern: amount), price: price, paidUntil: paid,
                                                  lastSequence: UInt64(bitPattern: last), ended: row[8].integer))
        }
        let needed = """
            SELECT line FROM receipts WHERE acknowledged = 0
               OR (lease, payer) IN (SELECT lease, payer FROM receipt_accounts) ORDER BY seq
            """
        for row in try database.query(needed) {
            guard let line = row.first?.text, let receipt = UsageReceipt(text: line) else { continue }
            snapshot.receipts.append(receipt)
        }
    }

    static func writeReceipts(_ change: MarketRecordChange, to database: SQLiteDatabase) throws(StoreError) {
        func integer(_ value: UInt64) -> SQLiteDatabase.Value { .integer(Int64(bitPattern: value)) }
        switch change {
        case .tab(let tab):
            try database.query("INSERT OR REPLACE INTO receipt_tabs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                .text(tab.node), integer(tab.lease), .text(tab.user), integer(tab.amount), .integer(tab.price),
                .integer(tab.chargedUntil), integer(tab.nextSequence), .integer(tab.closed ? 1 : 0),
                tab.expires.map { .integer($0) } ?? .null,
            ])
        case .tabRemoved(let node, let lease):
            try database.query("DELETE FROM receipt_tabs WHERE node = ? AND lease = ?", [.text(node), integer(lease)])
        case .account(let account):
            try database.query("INSERT OR REPLACE INTO receipt_accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                integer(account.lease), .text(account.payer), .text(account.payerKey), .text(account.providerUser),
                integer(account.amount), .integer(account.price), .integer(account.paidUntil), integer(account.lastSequence),
                account.ended.map { .integer($0) } ?? .null,
            ])
        case .accountRemoved(let lease):
            try database.query("DELETE FROM receipt_accounts WHERE lease = ?", [integer(lease)])
        case .receipt(let receipt):
            try database.query("INSERT OR REPLACE INTO receipts VALUES (?, ?, ?, ?, ?, ?)", [
                .text(receipt.payer), .text(receipt.payee), integer(receipt.lease), integer(receipt.sequence), .text(receipt.text),
                .integer(receipt.payeeSignature.isEmpty ? 0 : 1),
            ])
        case .receiptRemoved(let receipt):
            try database.query("DELETE FROM receipts WHERE payer = ? AND payee = ? AND lease = ? AND seq = ?", [
                .text(receipt.payer), .text(receipt.payee), integer(receipt.lease), integer(receipt.sequence),
            ])
        default:
            return
        }
    }
}
