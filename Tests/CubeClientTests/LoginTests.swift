import CubeClient
import Synchronization
import Testing

@Suite struct LoginTests {
    @Test func unixLoginIsPipelinedInOneWrite() throws {
        let received = Mutex<[UInt8]>([])
        let server = try FakeServer { peer in
            try peer.sendBanner()
            let login = try peer.acceptUnixLogin()
            received.withLock { $0 = login }
        }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        try connection.loginUnix(user: "unix-NAME")
        try server.finish()
        #expect(received.withLock { $0 } == Array("select unix\nauth unix-NAME\n".utf8))
    }

    @Test func zenkaAndPasswordLoginsSendTheirCredentialLines() throws {
        let received = Mutex<[[UInt8]]>([])
        for login in [0, 1] {
            let server = try FakeServer { peer in
                try peer.sendBanner()
                let bytes = try peer.acceptUnixLogin()
                received.withLock { $0.append(bytes) }
            }
            let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
            if login == 0 {
                try connection.loginZenka(name: "calc[a1]", key: "Xk3")
            } else {
                try connection.loginPassword(user: "alice", password: "pass word")
            }
            try server.finish()
        }
        #expect(received.withLock { $0 } == [
            Array("select zenka\ncalc[a1] Xk3\n".utf8),
            Array("select pwd\nauth alice pass word\n".utf8),
        ])
    }

    @Test func loginAnswersMayArriveWithTheBanner() throws {
        let server = try FakeServer { peer in
            try peer.write(FakeServer.banner + Array("TRUE continue\nAUTH_TRUE =)\n(1)TRUE early\n".utf8))
            _ = try peer.readOnce()
        }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        try connection.loginUnix(user: "unix-root")
        let reply = try connection.readReply()
        #expect(reply.id == 1 && reply.keyword == .trueReply && reply.textString == "early")
        try server.finish()
    }

    @Test(arguments: [
        ("TRUE continue\nAUTH_ERROR `>:|\n", "AUTH_ERROR `>:|"),
        (#"FALSE not available \ enabled, see 'list' command"# + "\n",
         #"FALSE not available \ enabled, see 'list' command"#),
        ("TRUE continue\n>:[\n", ">:["),
    ])
    func rejectedLoginReportsTheServersLine(answer: String, expected: String) throws {
        let server = try FakeServer { peer in
            try peer.sendBanner()
            _ = try peer.readOnce()
            try peer.write(answer)
        }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        #expect(throws: ClientError.loginFailed(expected)) {
            try connection.loginUnix(user: "unix-nobody")
        }
        try server.finish()
    }

    @Test func credentialsWithALineFeedAreRefused() throws {
        let server = try FakeServer { peer in try peer.sendBanner() }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        #expect(throws: ClientError.self) {
            try connection.loginUnix(user: "unix-a\nauth unix-root")
        }
        try server.finish()
    }
}
