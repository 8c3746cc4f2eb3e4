import CubeClient
import CubeCore
import Synchronization
import Testing

@Suite struct ConnectionTests {
    /// Starts a fake server that logs the client in and then runs `script`; returns a logged-in client.
    private static func loggedIn(
        _ script: @escaping @Sendable (FakePeer) throws -> Void
    ) throws -> (FakeServer, P7Connection) {
        let server = try FakeServer { peer in
            try peer.sendBanner()
            try peer.acceptUnixLogin()
            try script(peer)
        }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        try connection.loginUnix(user: "unix-test")
        return (server, connection)
    }

    @Test func sizeBodySplitOverSeveralWritesArrivesWhole() throws {
        let (server, connection) = try Self.loggedIn { peer in
            for chunk in ["(12)SI", "ZE 00", "12\nhel", "lo wor", "ld", "\n"] {
                try peer.write(chunk)
                peer.pause()
            }
        }
        let reply = try connection.readReply()
        #expect(reply.id == 12)
        #expect(reply.keyword == .size)
        #expect(reply.text == Array("0012".utf8))
        #expect(reply.body == Array("hello world\n".utf8))
        try server.finish()
    }

    @Test func binaryBodyWithLineFeedsAndNoTrailingLF() throws {
        let body: [UInt8] = [0x0A, 0x00, 0xFF, 0x0A, 0x2E]
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write(Array("(2)SIZE 5\n".utf8) + body + Array("(3)TRUE next\n".utf8))
        }
        let size = try connection.readReply()
        #expect(size.keyword == .size && size.body == body)
        let next = try connection.readReply()
        #expect(next.id == 3 && next.textString == "next")
        try server.finish()
    }

    /// `ä€x⏎⏎`: 5 characters, 8 bytes.
    static let umlauts: [UInt8] = [0xC3, 0xA4, 0xE2, 0x82, 0xAC, 0x78, 0x0A, 0x0A]

    /// docs/protocol.md §5: an original cube refuses `size-unit bytes`; bodies stay counted in
    /// characters, and the refusal never reaches the caller.
    @Test func sizeUnitRefusedKeepsCharacters() throws {
        let (server, connection) = try Self.loggedIn { peer in
            let request = try peer.readLines(1)
            guard request == Array("(10)size-unit bytes\n".utf8) else { throw FakeServer.Failure.script("got \(request)") }
            try peer.write(Array("(10)FALSE command does not exist\n(11)SIZE 0005\n".utf8) + Self.umlauts
                + Array("(12)TRUE after\n".utf8))
        }
        try connection.requestByteCounts()
        let size = try connection.readReply()
        #expect(size.id == 11 && size.keyword == .size && size.body == Self.umlauts)
        #expect(connection.sizeUnit == .characters)
        let after = try connection.readReply()
        #expect(after.id == 12 && after.textString == "after")
        try server.finish()
    }

    @Test func sizeUnitAgreedSwitchesToBytesBeforeTheNextBody() throws {
        let (server, connection) = try Self.loggedIn { peer in
            _ = try peer.readLines(1)
            try peer.write(Array("(10)TRUE size unit bytes\n(11)SIZE 0008\n".utf8) + Self.umlauts + Array("(12)WAIT x\n".utf8))
        }
        try connection.requestByteCounts()
        try connection.settleSizeUnit()
        #expect(connection.sizeUnit == .bytes)
        let size = try connection.readReply()
        #expect(size.id == 11 && size.body == Self.umlauts)
        #expect(try connection.readReply().keyword == .wait)
        try server.finish()
    }

    /// The original's `STRM open` is an interim reply without a body, not a protocol error.
    @Test func streamOpenIsAnInterimReply() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(27)STRM open 100\n(27)TRUE end-of-stream\n")
        }
        let open = try connection.readReply()
        #expect(open.keyword == .stream && open.body == nil && !open.keyword.closesRoute)
        #expect(try connection.readReply().textString == "end-of-stream")
        try server.finish()
    }

    @Test func waitThenTrue() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(7)WAIT starting calc\n")
            peer.pause()
            try peer.write("(7)TRUE beating\n")
        }
        let wait = try connection.readReply()
        #expect(wait.id == 7 && wait.keyword == .wait && wait.textString == "starting calc")
        let done = try connection.readReply()
        #expect(done.id == 7 && done.keyword == .trueReply && done.textString == "beating")
        try server.finish()
    }

    @Test func streamChunksThenFinalReply() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(7)STRM 3\nabc")
            peer.pause()
            try peer.write("(7)STRM 0\n(7)STRM 2\nd")
            peer.pause()
            try peer.write("e(7)TRUE done\n")
        }
        var chunks: [[UInt8]] = []
        var reply = try connection.readReply()
        while reply.keyword == .stream {
            chunks.append(reply.body ?? [])
            reply = try connection.readReply()
        }
        #expect(chunks == [Array("abc".utf8), [], Array("de".utf8)])
        #expect(reply.keyword == .trueReply && reply.textString == "done")
        try server.finish()
    }

    @Test func terminateLineIsReported() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("!TERM! cube shutting down\n")
        }
        let received = try connection.readReceived()
        #expect(received == .terminate(text: Array("cube shutting down".utf8)) && received.id == 0)
        #expect(received.textString == "cube shutting down")
        #expect(throws: ClientError.closedByPeer) { try connection.readReply() }
        try server.finish()
    }

    /// `readReply` is for callers that expect nothing but replies: `!TERM!` and other lines are
    /// errors that name the line, and reading goes on behind them.
    @Test func readReplyRefusesWhatIsNoReply() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(5)heart\n(6)TRUE after\n!TERM! bye\n")
        }
        #expect(throws: ClientError.protocolError("not a reply: (5)heart")) { try connection.readReply() }
        #expect(try connection.readReply() == Reply(id: 6, keyword: .trueReply, text: Array("after".utf8)))
        #expect(throws: ClientError.protocolError("connection terminated: bye")) { try connection.readReply() }
        try server.finish()
    }

    @Test func endOfFileInsideABodyIsClosedByPeer() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(1)SIZE 10\nabc")
        }
        #expect(throws: ClientError.closedByPeer) { try connection.readReply() }
        try server.finish()
    }

    @Test func malformedSizeHeaderIsAProtocolError() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(1)SIZE ten\n")
        }
        #expect(throws: ClientError.self) { try connection.readReply() }
        try server.finish()
    }

    @Test func multilineMessageIsUnstuffed() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(4)calc.put+\ntype: x\n\n..dot\nplain\n.\n")
        }
        let received = try connection.readReceived()
        #expect(received.id == 4 && received.reply == nil)
        #expect(received.textString == "calc.put+")
        #expect(received == .other(line: Array("(4)calc.put+".utf8), body: Array("type: x\n\n.dot\nplain\n".utf8)))
        try server.finish()
    }

    @Test func commandsAreSentAsSingleLines() throws {
        let received = Mutex<[UInt8]>([])
        let (server, connection) = try Self.loggedIn { peer in
            let bytes = try peer.readLines(4)
            received.withLock { $0 = bytes }
        }
        try connection.sendCommand(id: 42, path: "whoami", args: nil)
        try connection.sendCommand(id: nil, path: "calc.add", args: "1 2")
        try connection.sendCommand(id: 43, path: "heart", args: "")
        try connection.send("exit")
        #expect(throws: ClientError.self) { try connection.send("a\nb") }
        #expect(throws: ClientError.self) { try connection.sendCommand(id: 1, path: "", args: nil) }
        try server.finish()
        #expect(received.withLock { $0 } == Array("(42)whoami\ncalc.add 1 2\n(43)heart\nexit\n".utf8))
    }

    @Test func readRawReturnsBytesExactly() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(1)TRUE a\r\n")
            _ = try peer.readOnce()
        }
        #expect(try connection.readRaw(timeout: .seconds(5)) == Array("(1)TRUE a\r\n".utf8))
        #expect(throws: ClientError.timeout) { try connection.readRaw(timeout: .milliseconds(50)) }
        try connection.sendRaw([0x0A])
        #expect(try connection.readRaw(timeout: .seconds(5)) == [])
        try server.finish()
    }

    @Test func readLineAndCloseBehave() throws {
        let (server, connection) = try Self.loggedIn { peer in
            try peer.write("(1)TRUE line\r\n")
        }
        #expect(try connection.readLine() == Array("(1)TRUE line".utf8))
        connection.close()
        connection.close()
        #expect(connection.isClosed)
        #expect(throws: ClientError.self) { try connection.send("heart") }
        try server.finish()
    }
}
