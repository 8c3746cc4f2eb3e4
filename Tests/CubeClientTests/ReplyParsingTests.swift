import CubeClient
import Testing

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
}
