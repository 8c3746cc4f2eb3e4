import CubeCore
import Foundation
import Testing

/// A golden conversation with the router, read from `Transcripts/*.txt` (docs/architecture.md "Testing").
///
/// Each line is a step; `#` lines are comments. Text after `>`/`<` uses escapes:
/// `\n` LF, `\r` CR, `\t` tab, `\\` backslash, `\xNN` any byte, `⏎` LF,
/// `\{N text}` the literal `text` repeated N times (for long lines).
/// `$name` in an expectation captures a run of digits (or must equal the earlier capture);
/// in input it is replaced by the captured digits.
///
///     config key = value          configuration line (before the first step)
///     connect A unix USER [UID]   session A connects over a unix socket as unix user USER
///     connect A tcp [ADDRESS]     session A connects over TCP (from 127.0.0.1 by default)
///     secure-login fake           offer `c25519` through ``FakeSecureLogin`` (put it on a line of its own)
///     A encrypted                 the router switched A to encryption
///     local A USER                in-process session A, already logged in as USER
///     A> bytes                    A sends bytes
///     A< bytes                    the next bytes the cube sent A are exactly these
///     A< nothing                  the cube sent A nothing more
///     A closed                    the cube closed A
///     A open                      A is still open
///     disconnect A                A's connection drops
///     advance SECONDS             time passes (fractions allowed)
///     tick                        periodic housekeeping runs
///     deadline A                  A's login deadline passes
///     password A ok|fail [PW]     the pending password check of A finishes (PW: the password it was asked to check)
///     start NAME                  the router asked to start the on-demand zenka NAME
///     startfailed NAME            starting NAME failed
///     shutdown REASON             graceful shutdown
///     reconfigure KEY = VALUE     reload with KEY's entries replaced (`KEY =`: empty); keeps the report
///     report LINE                 the next line of the last reconfigure's report is exactly LINE
///     reloaded A                  A's pending `reload` command finishes with that report
///     reload-refused A REASON     A's pending `reload` command finds the configuration invalid
struct Transcript: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String

    var testDescription: String { name }

    /// Every transcript shipped with the tests.
    static func all() -> [Transcript] {
        guard let directory = Bundle.module.url(forResource: "Transcripts", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".txt") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            return Transcript(name: name, text: String(decoding: data, as: UTF8.self))
        }
    }
}

/// A key hasher for tests: the digest is the key itself.
struct IdentityHasher: KeyHasher {
    func digest(_ key: [UInt8]) -> [UInt8] { key }
}

/// The configuration transcripts start from (docs/protocol.md's examples use these users).
let transcriptBaseConfiguration = """
    node.name = cube
    auth.setup.usr.taeki = :unix:root,taeki
    auth.setup.usr.p7tester = $argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA
    auth.setup.usr.calc = :zenka:
    access.cmd.usr.unix-root = **
    access.cmd.usr.taeki = **
    access.cmd.usr.v7 = heart *.heart session-key ondemand-zenka set-initialized *.verify-instance
    access.cmd.usr.* = heart whoami name commands list present ptl-ver version size-unit exit close select unselect basepath *.heart \
        offer unoffer offers acquire renew release leases
    """

/// A stand-in for the `c25519` handshake: `hello <user>` → `TRUE fake-server`, then
/// `auth good` logs in as that user, `auth bad` is denied, `cert expired` is refused with a
/// reason, anything else is malformed.
struct FakeSecureLogin: SecureHandshakeFactory, CertificateIssuer {
    func start() -> any SecureHandshake { Handshake() }

    /// Signs revocations with the toy MAC under the key of the name `cube`.
    var revocationSigner: any AdvertSigner { ToySigner(publicKey: ToyMAC.key(for: "cube")) }

    /// `cert:<key>:<name>:<expires>`: stands in for a signed certificate.
    func issueCertificate(publicKey: String, name: String, expires: Int64) -> String? {
        publicKey.count == 52 && Names.isUserName(name.utf8) ? "cert:\(publicKey):\(name):\(expires)" : nil
    }

    struct Handshake: SecureHandshake {
        var user: String?
        /// `key:<the toy key of the user>` once logged in, so that `revoke` can name it.
        var credentials: [String] = []

        mutating func receive(_ line: [UInt8]) -> SecureHandshakeStep {
            let text = String(decoding: line, as: UTF8.self)
            if user == nil, text == "cert expired" { return .refused("key certificate expired at 5") }
            if user == nil, text.hasPrefix("hello ") {
                user = String(text.dropFirst(6))
                return .send(Array("TRUE fake-server\n".utf8))
            }
            guard let user else { return .malformed }
            switch text {
            case "auth good":
                credentials = ["key:" + ToyMAC.key(for: user)]
                return .authenticated(user: user, keys: SecureChannelKeys(receive: [1], transmit: [2]))
            case "auth bad": return .denied("fake")
            default: return .malformed
            }
        }
    }
}
