/// The `payer <node>` that ends an `acquire` a node forwards for its own user to a node that
/// is not its neighbour (docs/market.md "Receipts across the network"): the providing node
/// opens the receipt account in that node's name rather than the neighbour's that relayed it.
/// Who really pays is proven only by the receipts, which that node alone can sign.
package enum PayerClause {
    /// ` payer <node>`, to append to the acquire's arguments.
    package static func suffix(_ node: String) -> String { " payer \(node)" }

    /// Splits a trailing `payer <node>` off an acquire's words; nil when there is none.
    package static func split(_ words: [String]) -> (words: [String], payer: String)? {
        guard words.count >= 4, words[words.count - 2] == "payer", let node = words.last, Names.isUserName(node.utf8)
        else { return nil }
        return (Array(words.dropLast(2)), node)
    }
}
