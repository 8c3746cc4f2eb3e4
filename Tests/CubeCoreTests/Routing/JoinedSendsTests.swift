@testable import CubeCore
import Testing

/// Routed messages are rendered into one send per session and input (`Array.send(to:_:)`,
/// docs/performance.md "Router CPU per pipelined request"), in the order they were made.
@Suite struct JoinedSendsTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    @Test func aPipelinedBurstBecomesOneSendEachWayWithEveryMessageInOrder() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 3, now: now)
        let (client, _) = router.connectLocal(user: "root", transport: .unix, now: now)
        let (zenka, _) = router.connectLocal(user: "calc", transport: .unix, kind: .client(method: "unix"), now: now)
        let burst = (1...5).map { "(\($0))calc.echo a\($0)\n" }.joined()
        let forwarded = router.received(Array(burst.utf8), from: client, now: now)
        guard forwarded.count == 1, case .send(zenka, let commands) = forwarded[0] else {
            Issue.record("expected one send to the zenka, got \(forwarded)")
            return
        }
        let lines = String(decoding: commands, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.enumerated().allSatisfy { $1.hasSuffix("echo a\($0 + 1)") })
        // Answered in reverse order: the client gets the replies in the order they came.
        let tids = lines.map { $0.prefix { $0 != ")" }.dropFirst() }
        let answers = tids.reversed().map { "(\($0))TRUE r\($0)\n" }.joined()
        let relayed = router.received(Array(answers.utf8), from: zenka, now: now)
        guard relayed.count == 1, case .send(client, let replies) = relayed[0] else {
            Issue.record("expected one send to the client, got \(relayed)")
            return
        }
        let expected = zip(tids.reversed(), (1...5).reversed()).map { "(\($1))TRUE r\($0)\n" }.joined()
        #expect(String(decoding: replies, as: UTF8.self) == expected)
    }

    @Test func onlyARunOfSendsToOneSessionIsJoined() {
        var actions: [RouterAction] = []
        actions.send(to: 1) { $0 += Array("a\n".utf8) }
        let written = actions.send(to: 1) { $0 += Array("bc\n".utf8) }
        actions.append(.close(1))
        actions.send(to: 1) { $0 += Array("d\n".utf8) }
        actions.send(to: 2) { $0 += Array("e\n".utf8) }
        actions.send(to: 1) { $0 += Array("f\n".utf8) }
        #expect(written == 3)
        #expect(actions == [.send(1, Array("a\nbc\n".utf8)), .close(1), .send(1, Array("d\n".utf8)),
                            .send(2, Array("e\n".utf8)), .send(1, Array("f\n".utf8))])
    }

    @Test func everyKeywordIsRenderedAsItsSpelling() {
        for keyword in ReplyKeyword.allCases {
            var out: [UInt8] = []
            Render.appendKeyword(keyword, to: &out)
            #expect(out == Array(keyword.rawValue.utf8))
        }
    }

    /// The router appends, joins and drops actions for every request: the wide, rare cases are
    /// boxed so that an action stays two words and a tag (docs/performance.md "Smaller router
    /// actions"), and a boxed one still compares and reads back whole.
    @Test func anActionIsTwoWordsAndATagWithItsWideCasesBoxed() {
        #expect(MemoryLayout<RouterAction>.size <= 2 * MemoryLayout<Int>.size + 1)
        let event = RouterAction.event(.loginFailed(session: 4, method: "unix", user: "eve", origin: nil, reason: "no such user"))
        #expect(event == .event(.loginFailed(session: 4, method: "unix", user: "eve", origin: nil, reason: "no such user")))
        #expect(event != .event(.loginFailed(session: 4, method: "unix", user: "eve", origin: nil, reason: "other")))
        guard case .event(.loginFailed(_, _, let user, _, let reason)) = event else {
            Issue.record("event lost its case: \(event)")
            return
        }
        #expect(user == "eve" && reason == "no such user")
        let delivered = RouterAction.deliver(9, .reply(Reply(id: 3, keyword: .trueReply, text: Array("ok".utf8))))
        guard case .deliver(9, .reply(let reply)) = delivered else {
            Issue.record("delivery lost its case: \(delivered)")
            return
        }
        #expect(reply.id == 3 && reply.text == Array("ok".utf8))
    }
}
