import CubeCore
import Testing

@Suite struct GlobPatternTests {
    /// docs/protocol.md §3.4: anchored; `*` is one dot-separated segment (`[^.]+`), `**` anything
    /// (`.+`); every other byte, brackets included, is literal.
    @Test(arguments: [
        ("heart", "heart", true),
        ("heart", "hearts", false),
        ("heart", "xheart", false),
        ("heart", "calc.heart", false),
        ("heart", "Heart", false),
        ("*", "heart", true),
        ("*", "set-initialized", true),
        ("*", "calc.heart", false),
        ("*", "", false),
        ("**", "heart", true),
        ("**", "calc.heart", true),
        ("**", "a.b.c.d", true),
        ("**", "..x", true),
        ("**", "", false),
        ("*.heart", "calc.heart", true),
        ("*.heart", "calc[x].heart", true),
        ("*.heart", "1234567.heart", true),
        ("*.heart", "heart", false),
        ("*.heart", ".heart", false),
        ("*.heart", "a.b.heart", false),
        ("*.heart", "calc.heartbeat", false),
        ("*.heart", "calc.heart.x", false),
        ("**.heart", "a.b.heart", true),
        ("**.heart", "a.heart", true),
        ("**.heart", "heart", false),
        ("*.*", "a.b", true),
        ("*.*", "calc.heart", true),
        ("*.*", "a.b.c", false),
        ("*.*", "heart", false),
        ("*.*", "a.", false),
        ("*-version", "protocol-version", true),
        ("*-version", "-version", false),
        ("*-version", "a.b-version", false),
        ("*-ver", "ptl-ver", true),
        ("v7.*", "v7.start", true),
        ("v7.*", "v7.start.now", false),
        ("v7.*", "v7x.start", false),
        ("v7.start", "v7.start", true),
        ("v7.start", "v7xstart", false),
        ("ffmpeg[mpv].rescale_video", "ffmpeg[mpv].rescale_video", true),
        ("ffmpeg[mpv].rescale_video", "ffmpegm.rescale_video", false),
        ("calc[x].*", "calc[x].heart", true),
        ("calc[x].*", "calcx.heart", false),
        ("calc[x].*", "calc[y].heart", false),
        ("[a-z]", "a", false),
        ("[a-z]", "[a-z]", true),
        ("a+b", "aab", false),
        ("a+b", "a+b", true),
        ("a?", "ab", false),
        ("..*.**", "..calc.heart", true),
        ("..*.**", "..calc", false),
    ] as [(String, String, Bool)])
    func matchesWholeSubjects(pattern: String, subject: String, matches: Bool) {
        #expect(GlobPattern(pattern).matches(bytes(subject)) == matches)
    }

    @Test func keepsItsTextForDisplay() {
        #expect(GlobPattern("*.heart").description == "*.heart")
    }

    /// A path can be as long as a line (64 KiB by default) and is matched against every
    /// pattern of the user on every command, so matching must stay about linear (the bound
    /// only catches an explosion, such as quadratic backtracking over two `**`).
    @Test func matchesLongPathsQuickly() {
        let subject = Array(String(repeating: "a.", count: 2000).utf8) + bytes("cmd")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(GlobPattern("**").matches(subject))
            #expect(!GlobPattern("*.heart").matches(subject))
            #expect(!GlobPattern("**.**.heart").matches(subject))
        }
        #expect(elapsed < .seconds(2))
    }
}

@Suite struct AccessRulesTests {
    @Test func allowsByOwnOrEveryonesPatterns() {
        var rules = AccessRules()
        rules.allow("p7tester", [GlobPattern("time")])
        rules.allow("*", [GlobPattern("heart"), GlobPattern("*.heart")])
        #expect(rules.allows(user: "p7tester", command: bytes("time")))
        #expect(rules.allows(user: "p7tester", command: bytes("calc.heart")))
        #expect(rules.allows(user: "nobody", command: bytes("heart")))
        #expect(!rules.allows(user: "nobody", command: bytes("time")))
        #expect(!rules.allows(user: "p7tester", command: bytes("calc.name")))
    }

    /// The router asks with slices of the line a command came in (not starting at index 0),
    /// and an administrator's `**` is decided before everyone's patterns are tried.
    @Test func slicesOfALineAndAnAdministratorsDoubleStar() {
        var rules = AccessRules()
        rules.allow("admin", [GlobPattern("**")])
        rules.allow("*", [GlobPattern("heart"), GlobPattern("whoami")])
        let line = bytes("(12) calc.heart whoami")
        let path = line[5..<15]
        let word = line[16...]
        #expect(rules.allows(user: "admin", command: path))
        #expect(!rules.allows(user: "admin", command: line[5..<5]))
        #expect(!rules.allows(user: "nobody", command: path))
        #expect(rules.allows(user: "nobody", command: word))
        #expect(!rules.allows(user: "nobody", command: line[17...]))
        #expect(!rules.allows(user: "nobody", command: line[15...]))
    }
}
