import CubeCore
import Testing

private func load(_ text: String, owner: String = "root") throws(ConfigError) -> CubeConfiguration {
    try CubeConfiguration.load(try ConfigFile.parse(text, file: "test.conf"), owner: owner)
}

@Suite struct ConfigFileTests {
    @Test func readsKeyValueLinesAndSkipsComments() throws {
        let text = """
            # a comment
            node.name = alpha   # trailing comment

              limits.line=2048
            mount.path =
            key.with-hash = a\\#b
            """
        let entries = try ConfigFile.parse(text, file: "a.conf")
        #expect(entries.map { "\($0.file):\($0.line): \($0.key)=\($0.value)" } == [
            "a.conf:2: node.name=alpha",
            "a.conf:4: limits.line=2048",
            "a.conf:5: mount.path=",
            "a.conf:6: key.with-hash=a#b",
        ])
    }

    /// A CRLF file is refused at its first line, whatever that line holds (a hostile second
    /// reader: read as one line, a CRLF file with a comment on top was an empty
    /// configuration, and reloading it dropped every access rule).
    @Test func aCRLFFileIsRefusedWithWhy() {
        for text in ["# top comment\r\nnode.name = a\r\naccess.cmd.usr.* = **\r\n", "node.name = a\r\n", "a = b\nc = d\r\n"] {
            do {
                let entries = try ConfigFile.parse(text, file: "crlf.conf")
                Issue.record("accepted \(entries)")
            } catch {
                #expect(error.message == "line ends in CR (a CRLF file?): save it with LF line ends")
                #expect(error.line == (text.hasPrefix("a = b") ? 2 : 1))
            }
        }
        // A CR inside a line, or a file of CR line ends, is refused too.
        for text in ["a = b\rc = d\n", "access.cmd.usr.* = he\rart\n"] {
            do {
                _ = try ConfigFile.parse(text, file: "cr.conf")
                Issue.record("accepted a CR inside a line")
            } catch {
                #expect(error.message == "a CR inside the line: remove it")
            }
        }
        // LF files are split on every LF.
        #expect((try? ConfigFile.parse("a = 1\nb = 2\n", file: "lf.conf"))?.map(\.key) == ["a", "b"])
    }

    @Test func joinsContinuedLinesWithOneSpace() throws {
        let text = """
            access.cmd.usr.* = heart whoami \\
                               name \\
                               *.heart
            node.name = n
            """
        let entries = try ConfigFile.parse(text, file: "c.conf")
        #expect(entries.map(\.key) == ["access.cmd.usr.*", "node.name"])
        #expect(entries.map(\.line) == [1, 4])
        // Continued parts are joined with exactly one space.
        #expect(entries.first?.value == "heart whoami name *.heart")
    }

    @Test func reportsAContinuationAtTheEndOfTheFile() {
        #expect(throws: ConfigError(file: "c.conf", line: 2, message: "line continuation at end of file")) {
            try ConfigFile.parse("a = b\nc = d \\", file: "c.conf")
        }
    }

    @Test func namesFileAndLineOfASyntaxError() {
        let error = ConfigError(file: "x.conf", line: 3, message: "expected 'key = value', found 'not a pair'")
        #expect(throws: error) { try ConfigFile.parse("a = b\n# c\nnot a pair\n", file: "x.conf") }
        #expect(error.description == "x.conf:3: expected 'key = value', found 'not a pair'")
        #expect(throws: ConfigError(file: "x.conf", line: 1, message: "invalid key 'bad key'")) {
            try ConfigFile.parse("bad key = 1", file: "x.conf")
        }
        #expect(throws: ConfigError(file: "x.conf", line: 2, message: "invalid key 'a..b'")) {
            try ConfigFile.parse("\na..b = 1", file: "x.conf")
        }
    }

    @Test func turnsUnknownKeysIntoWarnings() throws {
        let config = try load("node.name = n\nno.such.key = 1\n\nauth.twofish = yes\n")
        #expect(config.nodeName == "n")
        #expect(config.warnings == [
            "test.conf:2: unknown key 'no.such.key' ignored",
            "test.conf:4: unknown key 'auth.twofish' ignored",
        ])
    }

    @Test func parksIdleConnectionsAfterThirtySecondsUnlessConfiguredOtherwise() throws {
        #expect(try load("node.name = n\n").parkAfterSeconds == 30)
        #expect(try load("socket.park-after = 0\n").parkAfterSeconds == 0)
        #expect(try load("socket.park-after = 5\n").parkAfterSeconds == 5)
    }

    @Test func busyPollsFiftyMicrosecondsUnlessConfiguredOtherwise() throws {
        #expect(try load("node.name = n\n").busyPollMicroseconds == 50)
        #expect(try load("socket.busy-poll = 0\n").busyPollMicroseconds == 0)
        #expect(try load("socket.busy-poll = 1000\n").busyPollMicroseconds == 1_000)
    }

    @Test func substitutesTheOwnerInKeysAndValues() throws {
        let config = try load("""
            auth.setup.usr.<owner> = :unix:<owner>,root :zenka:
            access.cmd.usr.unix-<owner> = **
            mount.path = /home/<owner>/p7
            """, owner: "alice")
        #expect(config.users["alice"] == UserSetup(unixUsers: ["alice", "root"], zenka: true))
        #expect(config.access.allows(user: "unix-alice", command: bytes("calc.anything")))
        #expect(!config.access.allows(user: "unix-root", command: bytes("calc.anything")))
        #expect(config.mountPath == "/home/alice/p7")
    }

    @Test(arguments: [
        ("limits.line = abc", "'limits.line' needs an integer in 1024...67108864, found 'abc'"),
        ("limits.line = 10", "'limits.line' needs an integer in 1024...67108864, found '10'"),
        ("timeouts.route = -1", "'timeouts.route' needs an integer in 0...86400, found '-1'"),
        ("auth.unix.implicit = maybe", "'auth.unix.implicit' needs yes or no, found 'maybe'"),
        ("auth.methods = unix twofish", "unknown authentication method 'twofish'"),
        ("node.name = two words", "invalid node name 'two words'"),
        ("auth.setup.usr.x = :bogus:", "unknown token ':bogus:' in 'auth.setup.usr.x'"),
        ("auth.setup.usr.x = :unix:", "unknown token ':unix:' in 'auth.setup.usr.x'"),
        ("auth.setup.usr.a.b = :zenka:", "invalid user name 'a.b'"),
        ("socket.unix.path = relative.sock", "'socket.unix.path' must be an absolute path"),
        ("socket.unix.mode = 999", "'socket.unix.mode' needs an octal mode"),
        ("log.level = loud", "'log.level' needs one of trace, debug, info, notice, warning, error, critical, found 'loud'"),
        ("socket.tcp.listen = nowhere", "'socket.tcp.listen' needs host:port, found 'nowhere'"),
        ("socket.park-after = -1", "'socket.park-after' needs an integer in 0...86400, found '-1'"),
        ("socket.busy-poll = 1001", "'socket.busy-poll' needs an integer in 0...1000, found '1001'"),
        ("metrics.listen = 127.0.0.1:0", "'metrics.listen' needs host:port, found '127.0.0.1:0'"),
        ("auth.c25519.signer.hq.max-days = 0", "'auth.c25519.signer.hq.max-days' needs 1...3650, found '0'"),
        ("auth.c25519.signer.hq.color = red", "unknown key 'auth.c25519.signer.hq.color' (key, names, max-days)"),
        ("auth.c25519.signer.a.b.key = K", "invalid signer label 'a.b'"),
    ] as [(String, String)])
    func rejectsBadValuesNamingFileAndLine(line: String, message: String) {
        #expect(throws: ConfigError(file: "test.conf", line: 2, message: message)) {
            try load("# first\n" + line)
        }
    }

    @Test func readsScopedSigners() throws {
        let config = try load("""
            auth.c25519.signer.hq.key = KEY
            auth.c25519.signer.hq.names = remote-* admin
            auth.c25519.signer.hq.max-days = 30
            auth.c25519.signer.lab.key = OTHER
            """)
        var hq = SignerSetup(label: "hq")
        hq.key = "KEY"
        hq.names = ["remote-*", "admin"]
        hq.maximumDays = 30
        var lab = SignerSetup(label: "lab")
        lab.key = "OTHER"
        #expect(config.signers == ["hq": hq, "lab": lab])
    }

    @Test func metricsAreOffByDefaultAndTakeHostPort() throws {
        #expect(try load("").metricsListen == nil)
        #expect(try load("metrics.listen = 127.0.0.1:9477").metricsListen == "127.0.0.1:9477")
        #expect(try load("metrics.listen = 127.0.0.1:9477\nmetrics.listen =").metricsListen == nil)
    }

    @Test func readsEveryDocumentedSetting() throws {
        let config = try load("""
            node.name = alpha
            auth.methods = unix
            auth.unix.implicit = no
            auth.zenka.any-name = off
            auth.zenka.key-lifetime = 30
            auth.setup.usr.p7tester = $argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA
            limits.line.pre-auth = 512
            limits.line = 4096
            limits.body = 8192
            limits.sessions = 5
            limits.routes-per-session = 6
            timeouts.login = 9
            timeouts.route = 0
            socket.unix.mode = 660
            node.name = beta
            """)
        #expect(config.nodeName == "beta")
        #expect(config.authMethods == ["unix"])
        #expect(!config.unixImplicit)
        #expect(!config.zenkaAnyName)
        #expect(config.zenkaKeyLifetimeSeconds == 30)
        #expect(config.users["p7tester"]?.passwordHash == "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA")
        #expect(config.limits.preAuthLine == 512)
        #expect(config.limits.line == 4096)
        #expect(config.limits.body == 8192)
        #expect(config.limits.sessions == 5)
        #expect(config.limits.routesPerSession == 6)
        #expect(config.loginTimeoutSeconds == 9)
        #expect(config.routeTimeoutSeconds == 0)
        #expect(config.unixSocketMode == 0o660)
        #expect(config.warnings.isEmpty)
    }

    @Test func hasTheDocumentedDefaults() throws {
        let config = try load("")
        #expect(config == CubeConfiguration())
        #expect(config.authMethods == ["c25519", "zenka", "unix", "pwd"])
        #expect(config.limits.preAuthLine == 1024)
        #expect(config.limits.line == 65536)
        #expect(config.limits.body == 16 << 20)
        #expect(config.loginTimeoutSeconds == 17)
        #expect(config.routeTimeoutSeconds == 120)
        #expect(config.zenkaKeyLifetimeSeconds == 60)
        #expect(config.unixImplicit && config.zenkaAnyName)
        #expect(config.logLevel == "info")
        #expect(try load("log.level = debug").logLevel == "debug")
    }

    /// Zenki whose `depends` make a circle are refused where the first one's `depends` is
    /// written; a dependency configured nowhere here only ends a path (it is waited for).
    @Test func aCircleOfDependsIsRefusedWhereItIsWritten() {
        let base = "zenka.a.program = /bin/cat\nzenka.b.program = /bin/cat\nzenka.c.program = /bin/cat\n"
        #expect(throws: ConfigError(file: "test.conf", line: 4, message: "zenka 'a' depends on itself")) {
            try load(base + "zenka.a.depends = elsewhere a")
        }
        #expect(throws: ConfigError(file: "test.conf", line: 5,
                                    message: "zenki depend on each other in a circle: b -> c -> b")) {
            try load(base + "zenka.a.depends = b\nzenka.b.depends = c\nzenka.c.depends = b")
        }
        #expect(throws: ConfigError(file: "test.conf", line: 4, message: "depends: invalid zenka name 'n3.b'")) {
            try load(base + "zenka.a.depends = n3.b")
        }
        let fine = try? load(base + "zenka.a.depends = b c elsewhere\nzenka.b.depends = c")
        #expect(fine?.zenki["a"]?.dependencies == ["b", "c", "elsewhere"])
    }
}
