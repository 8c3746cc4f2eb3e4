import CubeCore
import CubeFS

// The market's command files (docs/market.md "The market as files"): a line written to
// `offers/<id>/acquire` is `acquire <id> <line>` for the cube, one written to
// `leases/<id>/renew` is `renew <id> <line>`; both answer like `ask`, and their replies also
// go to the root's `out`.
extension Node {
    /// Where the commands written to this file go (nil: it takes none).
    var commandPort: PortTarget? {
        switch self {
        case .file(.cmd, let port?), .file(.ask, let port?): port
        case .offerFile(.acquire, _), .leaseFile(.renew, _): .cube
        default: nil
        }
    }

    /// Whether this is one of the market's command files.
    var isMarketFile: Bool {
        switch self {
        case .offerFile(.acquire, _), .leaseFile(.renew, _): true
        default: false
        }
    }

    /// What a line written to this file says, for ``CommandTranslator``: the line itself for
    /// `cmd` and `ask`; for a market file the command it stands for, keeping the line's own
    /// `(<id>)`; nil for what a market file does not take (a multi-line command or a body).
    func marketCommand(_ frame: Frame) -> Frame? {
        let verb: String
        switch self {
        case .offerFile(.acquire, let name): verb = "acquire \(name)"
        case .leaseFile(.renew, let id): verb = "renew \(id)"
        default: return frame
        }
        guard case .line(let line) = frame else { return nil }
        var id: ArraySlice<UInt8> = []
        var rest = line[...]
        if rest.first == UInt8(ascii: "("), let close = rest.firstIndex(of: UInt8(ascii: ")")) {
            id = rest[...close]
            rest = rest[(close + 1)...]
        }
        let words = rest.drop { $0 == Wire.space || $0 == UInt8(ascii: "\t") }
        return .line(Array(id) + Array(verb.utf8) + (words.isEmpty ? [] : [Wire.space] + Array(words)))
    }

    /// What a market file takes, for the refusal of anything else.
    var marketUsage: String {
        switch self {
        case .offerFile(.acquire, _): "<amount> [ttl]"
        case .leaseFile(.renew, _): "[ttl]"
        default: ""
        }
    }
}
