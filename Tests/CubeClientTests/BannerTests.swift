import CubeClient
import Testing

@Suite struct BannerTests {
    @Test func acceptsAWellFormedBanner() throws {
        let server = try FakeServer { peer in try peer.sendBanner() }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        #expect(connection.banner == FakeServer.banner)
        try server.finish()
    }

    @Test func acceptsAnyBase32VersionAndASplitBanner() throws {
        let server = try FakeServer { peer in
            try peer.write(#"\\PROTOCOL-7-VER"#)
            peer.pause()
            try peer.write(#"SION\\ABZ2345\\"# + "\n")
        }
        let connection = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        #expect(connection.banner == Array(#"\\PROTOCOL-7-VERSION\\ABZ2345\\"#.utf8) + [0x0A])
        try server.finish()
    }

    @Test(arguments: [
        #"\\PROTOCOL-7-VERSION\\nzxzdsa\\"# + "\n",
        #"\\PROTOCOL-7-VERSION\\NZXZDS1\\"# + "\n",
        #"\\PROTOCOL-7-VERSION\\NZXZDSAA\\"# + "\n",
        #"\\PROTOCOL-7-VERSION\\NZXZDS\\"# + "\n",
        #"\PROTOCOL-7-VERSION\NZXZDSA\"# + "\n",
        #"\\PROTOCOL-8-VERSION\\NZXZDSA\\"# + "\n",
        #"\\PROTOCOL-7-VERSION\\NZXZDSA\\"# + "\r\n",
        ">:[ speak protocol 7 ?\n",
        String(repeating: "x", count: 40),
        #"\\PROTOCOL-7-VERSION\\NZXZDSA\\"#,
    ])
    func rejectsABannerOfTheWrongShape(_ banner: String) throws {
        let server = try FakeServer { peer in try peer.write(banner) }
        #expect {
            _ = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        } throws: { error in
            guard case .badBanner = error as? ClientError else { return false }
            return true
        }
        try server.finish()
    }

    @Test func reportsAServerThatClosesWithoutBanner() throws {
        let server = try FakeServer { _ in }
        #expect(throws: ClientError.closedByPeer) {
            _ = try P7Connection(unixPath: server.path, timeout: .seconds(5))
        }
        try server.finish()
    }

    @Test func timesOutWhenNoBannerArrives() throws {
        let server = try FakeServer { peer in _ = try peer.readOnce(timeout: 5_000) }
        #expect(throws: ClientError.timeout) {
            _ = try P7Connection(unixPath: server.path, timeout: .milliseconds(100))
        }
        try server.finish()
    }

    @Test func reportsConnectFailureWithPathAndErrno() {
        let path = "/tmp/p7-client-test-does-not-exist.sock"
        #expect(throws: ClientError.connectFailed(path: path, errno: 2)) {
            _ = try P7Connection(unixPath: path, timeout: .seconds(1))
        }
        let description = ClientError.connectFailed(path: path, errno: 2).description
        #expect(description.contains(path))
        #expect(description.contains("No such file"))
    }
}
