import CubeClient
import CubeCore
import Testing

/// The client's view of a received line (CubeCore's `Reply` is the router's typed reply).
typealias Reply = CubeClient.Reply

@Suite struct ReplyParsingTests {
    private static func parse(_ line: String) -> Reply { Reply(parsing: Array(line.utf8)) }

    @Test(arguments: [
        ("(12)TRUE beating", UInt64?(12), Reply.Kind.trueReply, "beating"),
        ("(12) TRUE beating", 12, .trueReply, "beating"),
        ("(0012)FALSE client not present", 12, .falseReply, "client not present"),
        ("TRUE continue", nil, .trueReply, "continue"),
        ("(0)TRUE no id", nil, .trueReply, "no id"),
        ("(3)WAIT starting calc", 3, .wait, "starting calc"),
        ("(3)SIZE 0012", 3, .size, "0012"),
        ("(3)STRM 5", 3, .stream, "5"),
        ("(4)GET x", 4, .get, "x"),
        ("(4)TERM y", 4, .term, "y"),
        ("!TERM! cube shutting down", nil, .terminate, "cube shutting down"),
        ("(9)TRUE", 9, .trueReply, ""),
        ("(9)TRUE  two spaces", 9, .trueReply, " two spaces"),
        ("(9)TRUEX", 9, .other, "TRUEX"),
        ("AUTH_TRUE =)", nil, .other, "AUTH_TRUE =)"),
        ("(5)heart", 5, .other, "heart"),
        ("(x)TRUE bad id", nil, .other, "(x)TRUE bad id"),
        ("(99999999999999999999)TRUE overflow", nil, .other, "(99999999999999999999)TRUE overflow"),
        ("", nil, .other, ""),
    ])
    func parsesIdKeywordAndText(line: String, id: UInt64?, kind: Reply.Kind, text: String) {
        let reply = Self.parse(line)
        #expect(reply.id == id)
        #expect(reply.kind == kind)
        #expect(reply.textString == text)
        #expect(reply.raw == Array(line.utf8))
    }

    @Test func invalidUTF8PassesThroughUntouched() {
        let line: [UInt8] = Array("(1)TRUE ".utf8) + [0xFF, 0xC3]
        #expect(Reply(parsing: line).text == [0xFF, 0xC3])
    }

    @Test func finalKeywordsCloseTheRoute() {
        #expect(Self.parse("(1)TRUE a").isFinal)
        #expect(Self.parse("(1)SIZE 1").isFinal)
        #expect(!Self.parse("(1)WAIT a").isFinal)
        #expect(!Self.parse("(1)STRM 1").isFinal)
        #expect(!Self.parse("!TERM! bye").isFinal)
    }

    /// The client reads a line's id and keyword exactly as the router does: both start from
    /// CubeCore's one reading of a line's head.
    @Test(arguments: ["(12)TRUE beating", "(12) TRUE  x ", "FALSE no id", "(7)SIZE 0004", "(3)STRM open",
                      "(5)WAIT", "(0)GET x", "(9)TERM", "!TERM! bye", "(9)TRUEX", "(5)heart", "(x)TRUE",
                      "(1234567890123456)TRUE too long", "", "   ", "(4)TRUE\tx", "AUTH_TRUE =)"])
    func agreesWithTheRoutersReading(line: String) {
        let reply = Self.parse(line)
        switch Message.parseLine(Array(line.utf8)) {
        case .reply(let routed):
            #expect(reply.id == (routed.id == 0 ? nil : routed.id))
            #expect("\(reply.kind)" == Self.kindName(routed.keyword))
        case .terminate:
            #expect(reply.kind == .terminate)
        case .command, .invalid, .empty:
            #expect(reply.kind == .other)
        }
    }

    private static func kindName(_ keyword: ReplyKeyword) -> String {
        switch keyword {
        case .trueReply: "trueReply"
        case .falseReply: "falseReply"
        case .wait: "wait"
        case .size: "size"
        case .stream: "stream"
        case .get: "get"
        case .term: "term"
        }
    }

    @Test func framesGiveTheirBodies() {
        let sized = Reply(frame: .body(header: Array("(2)SIZE 3".utf8), body: Array("abc".utf8)))
        #expect(sized.id == 2 && sized.kind == .size && sized.body == Array("abc".utf8))
        let lines = Reply(frame: .multiline(header: Array("(4)TRUE x".utf8), lines: [Array("..a".utf8), Array("b".utf8)]))
        #expect(lines.id == 4 && lines.body == Array(".a\nb\n".utf8))
        #expect(Reply(frame: .lineTooLong).kind == .other)
    }
}
