import CubeClient
import Testing

/// What `p7` prints of a server's text (docs/p7.md "The terminal"): nothing a terminal reads as
/// a command (a hostile second reader: a bare CR overwrote a body's first half, and escape
/// sequences in error messages reached the terminal raw).
@Suite struct TerminalTextTests {
    @Test func aBareCarriageReturnIsNoTextButCRLFIs() {
        #expect(TerminalText.text(Array("all checks passed\r   FAKE: all ok".utf8)) == nil)
        #expect(TerminalText.text(Array("trailing\r".utf8)) == nil)
        #expect(TerminalText.text(Array("line one\r\nline two\r\n".utf8)) == "line one\r\nline two\r\n")
        #expect(TerminalText.text(Array("tab\tand ünïcode\n".utf8)) == "tab\tand ünïcode\n")
        #expect(TerminalText.text([0x1B] + Array("[2J".utf8)) == nil)
        #expect(TerminalText.text(Array("\u{9B}31m".utf8)) == nil)
        #expect(TerminalText.text([0xFF, 0x41]) == nil)
    }

    @Test func controlCharactersInQuotedTextBecomeQuestionMarks() {
        let hostile = "\u{1B}]52;c;AAAA\u{07}\u{1B}]0;PWNED\u{07}\u{1B}[31mred\r\n\u{9B}"
        #expect(TerminalText.visible(hostile) == "?]52;c;AAAA??]0;PWNED??[31mred???")
        #expect(ClientError.loginFailed("AUTH_ERROR " + hostile).description
            == "login failed: AUTH_ERROR ?]52;c;AAAA??]0;PWNED??[31mred???")
        #expect(ClientError.protocolError("connection terminated: \u{1B}[2J").description
            == "protocol error: connection terminated: ?[2J")
    }
}
