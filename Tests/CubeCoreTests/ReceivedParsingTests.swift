@testable import CubeCore
import Testing

/// What a client or a zenka received (`Received`): the same `Reply` the router uses, read from
/// the same head of a line.
@Suite struct ReceivedParsingTests {
    private static func parse(_ line: String) -> Received { Received(parsing: Array(line.utf8)) }

    /// What a line is read as: a reply keyword, `!TERM!`, or other.
    enum Kind: Equatable, Sendable {
        case reply(ReplyKeyword)
        case terminate
        case other
    }

    private static func kind(_ received: Received) -> Kind {
        switch received {
        case .reply(let reply): .reply(reply.keyword)
        case .terminate: .terminate
        case .other: .other
        }
    }

    @Test(arguments: [
        ("(12)TRUE beating", UInt64(12), Kind.reply(.trueReply), "beating"),
        ("(12) TRUE beating", 12, .reply(.trueReply), "beating"),
        ("(0012)FALSE client not present", 12, .reply(.falseReply), "client not present"),
        ("TRUE continue", 0, .reply(.trueReply), "continue"),
        ("(0)TRUE no id", 0, .reply(.trueReply), "no id"),
        ("(3)WAIT starting calc", 3, .reply(.wait), "starting calc"),
        ("(3)SIZE 0012", 3, .reply(.size), "0012"),
        ("(3)STRM 5", 3, .reply(.stream), "5"),
        ("(4)GET x", 4, .reply(.get), "x"),
        ("(4)TERM y", 4, .reply(.term), "y"),
        ("!TERM! cube shutting down", 0, .terminate, "cube shutting down"),
        ("(9)TRUE", 9, .reply(.trueReply), ""),
        ("(9)TRUE  two spaces", 9, .reply(.trueReply), " two spaces"),
        ("(9)TRUEX", 9, .other, "TRUEX"),
        ("AUTH_TRUE =)", 0, .other, "AUTH_TRUE =)"),
        ("(5)heart", 5, .other, "heart"),
        ("(x)TRUE bad id", 0, .other, "(x)TRUE bad id"),
        ("(99999999999999999999)TRUE overflow", 0, .other, "(99999999999999999999)TRUE overflow"),
        ("", 0, .other, ""),
    ])
    func parsesIdKeywordAndText(line: String, id: UInt64, kind: Kind, text: String) {
        let received = Self.parse(line)
        #expect(received.id == id)
        #expect(Self.kind(received) == kind)
        #expect(received.textString == text)
        // An other line is kept whole; a reply keeps its parts (its line is rendered, below).
        if case .other(let raw, _) = received { #expect(raw == Array(line.utf8)) }
    }

    /// A reply or `!TERM!` as the cube renders it comes back as the same line.
    @Test(arguments: ["(12)TRUE beating", "FALSE no id", "(3)WAIT starting calc", "(9)TRUE ", "!TERM! bye",
                      "(3)SIZE 0012", "(5)STRM open"])
    func theLineOfAReplyIsHowTheCubeRendersIt(line: String) {
        #expect(Self.parse(line).line == Array(line.utf8))
    }

    @Test func theLineOfABodyReplyIsItsHeader() {
        let sized = Received(frame: .body(header: Array("(2)SIZE 0003".utf8), body: Array("abc".utf8)))
        #expect(sized.line == Array("(2)SIZE 0003".utf8))
    }

    @Test func invalidUTF8PassesThroughUntouched() {
        let line: [UInt8] = Array("(1)TRUE ".utf8) + [0xFF, 0xC3]
        #expect(Received(parsing: line).text == [0xFF, 0xC3])
    }

    @Test func finalKeywordsCloseTheRoute() {
        #expect(Self.parse("(1)TRUE a").reply?.keyword.closesRoute == true)
        #expect(Self.parse("(1)SIZE 1").reply?.keyword.closesRoute == true)
        #expect(Self.parse("(1)WAIT a").reply?.keyword.closesRoute == false)
        #expect(Self.parse("(1)STRM 1").reply?.keyword.closesRoute == false)
        #expect(Self.parse("!TERM! bye").reply == nil)
    }

    /// A receiver reads a line's id and keyword exactly as the router does: both start from
    /// CubeCore's one reading of a line's head.
    @Test(arguments: ["(12)TRUE beating", "(12) TRUE  x ", "FALSE no id", "(7)SIZE 0004", "(3)STRM open",
                      "(5)WAIT", "(0)GET x", "(9)TERM", "!TERM! bye", "(9)TRUEX", "(5)heart", "(x)TRUE",
                      "(1234567890123456)TRUE too long", "", "   ", "(4)TRUE\tx", "AUTH_TRUE =)"])
    func agreesWithTheRoutersReading(line: String) {
        let received = Self.parse(line)
        switch Message.parseLine(Array(line.utf8)) {
        case .reply(let routed):
            #expect(received.id == routed.id)
            #expect(Self.kind(received) == .reply(routed.keyword))
        case .terminate:
            #expect(Self.kind(received) == .terminate)
        case .command, .invalid, .empty:
            #expect(Self.kind(received) == .other)
        }
    }

    @Test func framesGiveTheirBodies() {
        let sized = Received(frame: .body(header: Array("(2)SIZE 3".utf8), body: Array("abc".utf8)))
        #expect(sized == .reply(Reply(id: 2, keyword: .size, text: Array("3".utf8), body: Array("abc".utf8))))
        let lines = Received(frame: .multiline(header: Array("(4)calc.put+".utf8), lines: [Array("..a".utf8), Array("b".utf8)]))
        #expect(lines == .other(line: Array("(4)calc.put+".utf8), body: Array(".a\nb\n".utf8)))
        #expect(lines.id == 4)
        #expect(Self.kind(Received(frame: .lineTooLong)) == .other)
    }

    /// The id, keyword and body of a received `SIZE` are what the router's own reading of the
    /// same frame gives (its text is the count as sent, which the router leaves out).
    @Test func aBodyReplyReadsAsTheRouterReadsIt() {
        let frame = Frame.body(header: Array("(2)SIZE 0003".utf8), body: Array("abc".utf8))
        guard case .reply(let routed) = Message(frame: frame) else {
            Issue.record("the router did not read a reply")
            return
        }
        var received = Received(frame: frame).reply
        #expect(received?.text == Array("0003".utf8))
        received?.text = []
        #expect(received == routed)
    }
}
