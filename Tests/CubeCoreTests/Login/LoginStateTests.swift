import Testing
@testable import CubeCore

/// ``LoginState`` on its own: the pre-auth lines of docs/protocol.md §3 and their bounds,
/// without a router (the transcripts pin the same replies end to end).
@Suite struct LoginStateTests {
    private let offered: [any AuthMethod] = ["unix", "pwd"].compactMap(AuthMethods.named)

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func describe(_ step: LoginState.Step) -> String {
        switch step {
        case .send(let bytes): "send " + String(decoding: bytes, as: UTF8.self)
        case .sendAndClose(let bytes): "close " + String(decoding: bytes, as: UTF8.self)
        case .selected(let method): "selected " + method.name
        case .credential(let method): "credential " + method.name
        }
    }

    private func run(_ lines: [String]) -> [String] {
        var state = LoginState()
        return lines.map { describe(state.receive(bytes($0), offered: { offered })) }
    }

    @Test func listOnceThenRefusesThenCloses() {
        #expect(run(["list", "auth.list", "list"]) == [
            "send SIZE 9\nunix\npwd\n", "send FALSE once should be enough..,\n", "close >;| auth methods\n",
        ])
    }

    @Test func selectThenCredentialGoesToTheSelectedMethod() {
        #expect(run(["selected", "select pwd", "selected", "ann secret"]) == [
            "send FALSE not selected yet\n", "selected pwd", "send TRUE pwd\n", "credential pwd",
        ])
    }

    @Test func twoUnavailableSelectsAreAnsweredTheThirdCloses() {
        #expect(run(["select c25519", "select zenka", "select callout"]) == [
            "send FALSE not available \\ enabled, see 'list' command\n",
            "send FALSE not available \\ enabled, see 'list' command\n",
            "close >;| auth methods\n",
        ])
    }

    @Test func aFourthSelectOrABadNameCloses() {
        #expect(run(["select unix", "select pwd", "select unix", "select pwd"]).last == "close >;| auth methods\n")
        #expect(run(["select UN IX"]) == ["close >;| auth methods\n"])
    }

    @Test func aLineBeforeSelectIsNotProtocol7AndCloseCloses() {
        #expect(run(["hello"]) == ["close >:[ speak protocol 7 ?\n"])
        #expect(run([""]) == ["close >;| auth methods\n"])
        #expect(run(["close"]) == ["close TRUE connection closed\n"])
    }

    @Test func offeredMethodsAreAskedOnlyByListAndSelect() {
        var state = LoginState()
        var asked = 0
        for line in ["selected", "close"] {
            _ = state.receive(bytes(line), offered: { asked += 1; return offered })
        }
        #expect(asked == 0)
        _ = state.receive(bytes("list"), offered: { asked += 1; return offered })
        _ = state.receive(bytes("select unix"), offered: { asked += 1; return offered })
        #expect(asked == 2)
    }
}
