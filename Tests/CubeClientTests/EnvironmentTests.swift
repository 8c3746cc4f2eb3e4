import CubeClient
import Testing

@Suite struct EnvironmentTests {
    private static func lookup(_ values: [String: String]) -> (String) -> String? { { values[$0] } }

    @Test func socketPathPrefersExplicitThenEnvironmentThenDefault() {
        let env = Self.lookup(["PROTOCOL_7_UNIX_PATH": "/tmp/env.sock"])
        #expect(SocketPath.resolve(explicit: "/tmp/cli.sock", environment: env) == "/tmp/cli.sock")
        #expect(SocketPath.resolve(explicit: nil, environment: env) == "/tmp/env.sock")
        #expect(SocketPath.resolve(explicit: "", environment: env) == "/tmp/env.sock")
        #expect(SocketPath.resolve(explicit: nil, environment: Self.lookup([:])) == "/run/protocol-7/cube.sock")
        #expect(SocketPath.defaultPath == "/run/protocol-7/cube.sock")
    }

    @Test func loginNameFallsBackThroughTheVariables() {
        #expect(P7User.loginName(environment: Self.lookup([
            "PROTOCOL_7_BIN_P7_USER": "bot", "USER": "alice", "LOGNAME": "al",
        ])) == "unix-bot")
        #expect(P7User.loginName(environment: Self.lookup(["USER": "alice", "LOGNAME": "al"])) == "unix-alice")
        #expect(P7User.loginName(environment: Self.lookup(["USER": "", "LOGNAME": "al"])) == "unix-al")
        #expect(P7User.loginName(environment: Self.lookup([:])) == "unix-root")
        // The prefix is always added, like the original client.
        #expect(P7User.loginName(environment: Self.lookup(["USER": "unix-x"])) == "unix-unix-x")
    }
}

@Suite struct LoginHintTests {
    static func lookup(_ values: [String: String]) -> (String) -> String? { { values[$0] } }

    @Test func namesTheVariableAndTheUidsRealUser() throws {
        let hint = try #require(P7User.mismatchHint(uid: 1000, realName: "alice", environment: Self.lookup(["USER": "root"])))
        #expect(hint.contains("refused 'unix-root'"))
        #expect(hint.contains("from $USER"))
        #expect(hint.contains("uid 1000 is user 'alice'"))
        #expect(hint.contains("PROTOCOL_7_BIN_P7_USER=alice"))
        #expect(hint.contains("auth.setup.usr.unix-root = :unix:alice"))
    }

    @Test func noHintWhenTheNameIsTheUidsUser() {
        #expect(P7User.mismatchHint(uid: 1000, realName: "alice", environment: Self.lookup(["USER": "alice"])) == nil)
        #expect(P7User.mismatchHint(uid: 0, realName: "root", environment: Self.lookup([:])) == nil)
    }

    @Test func theDefaultNameAndAUidWithoutUser() throws {
        let hint = try #require(P7User.mismatchHint(uid: 4242, realName: nil, environment: Self.lookup([:])))
        #expect(hint.contains("by default"))
        #expect(hint.contains("uid 4242 has no user name"))
    }
}
