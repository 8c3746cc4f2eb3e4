@testable import CubeCore
import Testing

/// The table of auth methods (docs/protocol.md §3): what each method makes of a credential
/// line, where it is offered, and what kind of session it gives.
@Suite struct AuthMethodsTests {
    static let now = Timestamp(monotonic: 5_000_000_000, wall: 1_700_000_000)
    static let root = PeerIdentity(uid: 0, gid: 0, pid: 42, userName: "root")

    static func context(_ transport: Transport = .unix, peer: PeerIdentity? = root, config: String = "",
                        keys: ZenkaKeys = ZenkaKeys()) throws -> AuthContext {
        let configuration = try CubeConfiguration.load(ConfigFile.parse(config, file: "test"), owner: "root")
        return AuthContext(transport: transport, peer: transport == .unix ? peer : nil,
                           origin: transport == .unix ? .uid(peer?.uid ?? 0) : .address("10.0.0.9"),
                           configuration: configuration, now: now, hasher: IdentityHasher(), secureLogin: nil,
                           zenkaKeys: keys)
    }

    static func verdict(_ method: String, _ line: String, in context: AuthContext) throws -> AuthVerdict {
        var context = context
        let method = try #require(AuthMethods.named(method))
        return method.credential(Array(line.utf8), in: &context)
    }

    @Test func theTableHoldsEveryMethodOnce() {
        #expect(AuthMethods.names == ["c25519", "zenka", "unix", "pwd", "callout"])
        for name in AuthMethods.names { #expect(AuthMethods.named(name)?.name == name) }
        #expect(AuthMethods.named("twofish") == nil)
    }

    @Test func clearTextMethodsStayOffTCPAndC25519NeedsAKey() throws {
        let unix = try Self.context(.unix)
        let tcp = try Self.context(.tcp)
        for name in ["zenka", "unix", "pwd"] {
            let method = try #require(AuthMethods.named(name))
            #expect(method.isOffered(in: unix))
            #expect(!method.isOffered(in: tcp))
        }
        let c25519 = try #require(AuthMethods.named("c25519"))
        #expect(!c25519.isOffered(in: unix) && !c25519.isOffered(in: tcp))
    }

    @Test func calloutNeedsAProgramAndReachesTCPOnlyWhenAllowed() throws {
        let callout = try #require(AuthMethods.named("callout"))
        #expect(!callout.isOffered(in: try Self.context(.unix)))
        let program = "auth.callout.program = /opt/check"
        #expect(callout.isOffered(in: try Self.context(.unix, config: program)))
        #expect(!callout.isOffered(in: try Self.context(.tcp, config: program)))
        #expect(callout.isOffered(in: try Self.context(.tcp, config: program + "\nauth.callout.tcp = yes")))
        // Ours: bytes, like c25519 (docs/protocol.md §5).
        #expect(!callout.countsCharacters)
        #expect(callout.kind == .client(method: "callout"))
    }

    @Test func calloutHandsNameCredentialProgramAndTimeoutOn() throws {
        let context = try Self.context(config: "auth.callout.program = /opt/check\nauth.callout.timeout = 9")
        guard case .check(let check) = try Self.verdict("callout", "auth alice  pass word", in: context) else {
            Issue.record("no check asked for")
            return
        }
        #expect(check == CredentialCheck(method: "callout", user: "alice", secret: Array(" pass word".utf8),
                                         reference: "/opt/check", timeoutSeconds: 9))
        for bad in ["auth alice", "auth alice ", "alice secret", "auth al/ice secret"] {
            guard case .malformed = try Self.verdict("callout", bad, in: context) else {
                Issue.record("'\(bad)' is not malformed")
                continue
            }
        }
    }

    @Test func calloutKeysAreCheckedAtLoad() throws {
        let good = try CubeConfiguration.load(ConfigFile.parse("""
            auth.callout.program = /usr/libexec/check
            auth.callout.timeout = 3
            auth.callout.concurrency = 4
            auth.callout.tcp = yes
            """, file: "t"), owner: "root")
        var expected = CalloutSettings()
        expected.program = "/usr/libexec/check"
        expected.timeoutSeconds = 3
        expected.concurrency = 4
        expected.overTCP = true
        #expect(good.callout == expected)
        for bad in ["auth.callout.program = check", "auth.callout.timeout = 0", "auth.callout.concurrency = 65",
                    "auth.callout.tcp = maybe"] {
            #expect(throws: ConfigError.self) { try CubeConfiguration.load(ConfigFile.parse(bad, file: "t"), owner: "root") }
        }
    }

    @Test func sessionKindsAndBodyCounts() throws {
        #expect(AuthMethods.named("zenka")?.kind == .zenka)
        #expect(AuthMethods.named("unix")?.kind == .client(method: "unix"))
        #expect(AuthMethods.named("c25519")?.kind == .client(method: "c25519"))
        // The original's peers count characters; c25519 is ours (docs/protocol.md §5).
        #expect(["zenka", "unix", "pwd"].allSatisfy { AuthMethods.named($0)?.countsCharacters == true })
        #expect(AuthMethods.named("c25519")?.countsCharacters == false)
        #expect(SessionKind.inProcess.label(on: .local("fs")) == "fs")
        #expect(SessionKind.link.label(on: .tcp) == "link")
        #expect(SessionKind.client(method: "pwd").label(on: .unix) == "pwd")
    }

    @Test func originsReadAsBefore() {
        #expect(Origin.uid(1000).description == "uid:1000")
        #expect(Origin.address("10.0.0.1").description == "ip:10.0.0.1")
    }

    @Test func unixNamesThePeer() throws {
        let context = try Self.context()
        guard case .accepted("unix-root", nil) = try Self.verdict("unix", "auth unix-root", in: context) else {
            Issue.record("unix-root refused")
            return
        }
        guard case .refused("unix-bob", let reason) = try Self.verdict("unix", "auth unix-bob", in: context) else {
            Issue.record("unix-bob not refused")
            return
        }
        #expect(reason.contains("uid 0"))
        for bad in ["auth", "auth unix-root x", "login unix-root", "auth -x", ""] {
            guard case .malformed = try Self.verdict("unix", bad, in: context) else {
                Issue.record("'\(bad)' is not malformed")
                continue
            }
        }
    }

    @Test func pwdHandsTheCheckOnWithSpacesKept() throws {
        let context = try Self.context(config: "auth.setup.usr.alice = $argon2id$stored")
        guard case .check(let check) = try Self.verdict("pwd", "auth alice two words ", in: context) else {
            Issue.record("no check asked for")
            return
        }
        #expect(check == CredentialCheck(method: "pwd", user: "alice", secret: Array("two words ".utf8),
                                         reference: "$argon2id$stored"))
        guard case .refused("bob", _) = try Self.verdict("pwd", "auth bob secret", in: context) else {
            Issue.record("a user without a hash was not refused")
            return
        }
        guard case .malformed = try Self.verdict("pwd", "auth alice ", in: context) else {
            Issue.record("an empty password is not malformed")
            return
        }
    }

    @Test func aZenkaKeyWorksOnceAndNotAfterItExpired() throws {
        var keys = ZenkaKeys()
        keys.register(name: "calc", digest: Array("k1".utf8), expires: Self.now.monotonic + 1)
        keys.register(name: "calc", digest: Array("old".utf8), expires: Self.now.monotonic)
        var context = try Self.context(keys: keys)
        let zenka = try #require(AuthMethods.named("zenka"))
        guard case .accepted("calc", "x") = zenka.credential(Array("calc[x] k1".utf8), in: &context) else {
            Issue.record("a fresh key was refused")
            return
        }
        guard case .refused("calc", _) = zenka.credential(Array("calc k1".utf8), in: &context) else {
            Issue.record("a used key worked again")
            return
        }
        guard case .refused = zenka.credential(Array("calc old".utf8), in: &context) else {
            Issue.record("an expired key worked")
            return
        }
        guard case .malformed = zenka.credential(Array("calc".utf8), in: &context) else {
            Issue.record("a line without a key is not malformed")
            return
        }
    }
}
