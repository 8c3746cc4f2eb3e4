import CubeCore
import Testing

@Suite struct MessageParsingTests {
    @Test(arguments: [
        ("heart", Message.command(Command(id: 0, path: bytes("heart")))),
        ("   \theart  \t", .command(Command(id: 0, path: bytes("heart")))),
        ("(12)  calc.echo  a  b \t", .command(Command(id: 12, path: bytes("calc.echo"), args: bytes("a  b")))),
        ("(0012)heart", .command(Command(id: 12, path: bytes("heart")))),
        ("(1) heart notime", .command(Command(id: 1, path: bytes("heart"), args: bytes("notime")))),
        ("(00)heart", .command(Command(id: 0, path: bytes("heart")))),
        ("(123456789012345)heart", .command(Command(id: 123_456_789_012_345, path: bytes("heart")))),
        ("calc[x].heart", .command(Command(id: 0, path: bytes("calc[x].heart")))),
        ("..whoami", .command(Command(id: 0, path: bytes("..whoami")))),
        ("", .empty),
        (" \t ", .empty),
        ("!TERM! going away", .terminate),
        ("(5) TRUE done and dusted", .reply(Reply(id: 5, keyword: .trueReply, text: bytes("done and dusted")))),
        ("(5)FALSE nope", .reply(Reply(id: 5, keyword: .falseReply, text: bytes("nope")))),
        ("WAIT", .reply(Reply(id: 0, keyword: .wait))),
        ("GET x", .reply(Reply(id: 0, keyword: .get, text: bytes("x")))),
        ("TERM", .reply(Reply(id: 0, keyword: .term))),
        ("WHOAMI", .invalid(.invalidReplyType(id: 0))),
        ("(3)BOGUS thing", .invalid(.invalidReplyType(id: 3))),
        ("()heart", .invalid(.invalidCommandID)),
        ("(abc) heart", .invalid(.invalidCommandID)),
        ("(1234567890123456) heart", .invalid(.invalidCommandID)),
        ("( 1)heart", .invalid(.invalidCommandID)),
        ("(12 heart", .invalid(.mismatch(id: 0))),
        ("heart\theart", .invalid(.mismatch(id: 0))),
        ("(4)whoami/", .invalid(.mismatch(id: 4))),
        ("/", .invalid(.mismatch(id: 0))),
    ] as [(String, Message)])
    func parsesOneLine(line: String, expected: Message) {
        #expect(Message.parseLine(bytes(line)) == expected)
    }

    @Test func passesInvalidUTF8Through() {
        #expect(Message.parseLine(bytes("heart ") + [0xFF, 0xFE])
            == .command(Command(id: 0, path: bytes("heart"), args: [0xFF, 0xFE])))
        #expect(Message.parseLine([0x00, 0x01, 0xFF, 0xFE]) == .invalid(.mismatch(id: 0)))
    }

    @Test func givesBodyFramesTheirBody() {
        #expect(Message(frame: .body(header: bytes("(7) SIZE 0003"), body: bytes("a\nb")))
            == .reply(Reply(id: 7, keyword: .size, body: bytes("a\nb"))))
        #expect(Message(frame: .body(header: bytes("STRM 0"), body: []))
            == .reply(Reply(id: 0, keyword: .stream, body: [])))
    }

    @Test func parsesMultiLineHeadersInOrderAndUndoesDotStuffing() {
        let frame = Frame.multiline(header: bytes("(28)taeki.multi+"), lines: [
            bytes("key1: value1"), bytes(" key2 = value 2 "), bytes("url:http://x/?a=b"), [],
            bytes("..dot"), bytes("...two"), bytes("plain"), [], bytes(".x"),
        ])
        let expected = Multiline(
            headers: [(bytes("key1"), bytes("value1")), (bytes("key2"), bytes("value 2")), (bytes("url"), bytes("http://x/?a=b"))],
            body: [bytes(".dot"), bytes("..two"), bytes("plain"), [], bytes(".x")])
        #expect(Message(frame: frame)
            == .command(Command(id: 28, path: bytes("taeki.multi"), multiline: expected)))
    }

    @Test func acceptsASpaceBetweenIdAndMultiLinePath() {
        #expect(Message(frame: .multiline(header: bytes("(29) whoami+ "), lines: []))
            == .command(Command(id: 29, path: bytes("whoami"), multiline: Multiline(headers: [], body: []))))
    }

    @Test(arguments: ["not-a-header-line", "bad key: v", ": v", " = v"])
    func rejectsMalformedMultiLineHeaders(header: String) {
        #expect(Message(frame: .multiline(header: bytes("(30)taeki.multi+"), lines: [bytes(header), [], bytes("body")]))
            == .invalid(.multilineSyntax(id: 30)))
    }

    @Test func rendersParseErrorsWithTheirExactTexts() {
        #expect(ParseError.invalidCommandID.text == "invalid command id syntax or length")
        #expect(ParseError.invalidCommandID.id == 0)
        #expect(ParseError.invalidReplyType(id: 3).text == "protocol error [ reply type not valid ]")
        #expect(ParseError.mismatch(id: 4).text == "protocol mismatch")
        #expect(ParseError.mismatch(id: 4).id == 4)
        #expect(ParseError.multilineSyntax(id: 30).text == "error in [multi-line] command param syntax")
    }
}

@Suite struct RenderTests {
    @Test func writesRepliesWithoutASpaceAfterTheId() {
        #expect(Render.reply(id: 12, .trueReply, "beating") == bytes("(12)TRUE beating\n"))
        #expect(Render.reply(id: 0, .falseReply, "client not present") == bytes("FALSE client not present\n"))
    }

    @Test func escapesLFInReplyTexts() {
        #expect(Render.reply(id: 1, .trueReply, "a\nb\n") == bytes("(1)TRUE a\\nb\\n\n"))
    }

    @Test func padsSizeToFourDigitsButNotStrm() {
        #expect(Render.body(id: 45, .size, bytes("hello world\n")) == bytes("(45)SIZE 0012\nhello world\n"))
        #expect(Render.body(id: 0, .size, []) == bytes("SIZE 0000\n"))
        #expect(Render.body(id: 0, .size, [UInt8](repeating: 0x61, count: 12345)).prefix(11) == bytes("SIZE 12345\n")[...])
        #expect(Render.body(id: 3, .stream, bytes("xyz")) == bytes("(3)STRM 3\nxyz"))
    }

    @Test func forwardsCommandsUnderTheTargetId() {
        #expect(Render.command(id: 204_573, path: bytes("heart"), args: nil) == bytes("(204573)heart\n"))
        #expect(Render.command(id: 7, path: bytes("calc.echo"), args: bytes("a b")) == bytes("(7)calc.echo a b\n"))
    }

    @Test func writesMultiLineCommandsWithDotStuffing() {
        let multiline = Multiline(headers: [(bytes("k"), bytes("v")), (bytes("a"), bytes("b c"))],
                                  body: [bytes(".dot"), bytes("plain"), bytes(".")])
        #expect(Render.multilineCommand(id: 9, path: bytes("multi"), multiline)
            == bytes("(9)multi+\nk: v\na: b c\n\n..dot\nplain\n..\n.\n"))
    }

    @Test func writesTheTerminationNotice() {
        #expect(Render.terminate("cube is going down") == bytes("!TERM! cube is going down\n"))
    }

    @Test func sendsTheBannerOf32Bytes() {
        #expect(Wire.banner == bytes("\\\\PROTOCOL-7-VERSION\\\\NZXZDSA\\\\\n"))
        #expect(Wire.banner.count == 32)
    }
}
