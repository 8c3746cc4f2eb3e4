import CubeCore
import Testing

@Suite struct CommandPathTests {
    @Test func treatsADotlessCommandAsLocal() throws {
        let path = try #require(CommandPath(bytes("set-initialized")))
        #expect(path.target == nil)
        #expect(path.targetElement(of: bytes("set-initialized")[...]).isEmpty)
        #expect(Array(path.remainder(of: bytes("set-initialized"))) == bytes("set-initialized"))
    }

    @Test(arguments: [
        ("calc.heart", CommandPath.Target.name("calc"), "calc", "heart"),
        ("1234567.whoami", .session(1_234_567), "1234567", "whoami"),
        ("123.whoami", .session(123), "123", "whoami"),
        ("12345678901234567.whoami", .session(12_345_678_901_234_567), "12345678901234567", "whoami"),
        ("12.whoami", .name("12"), "12", "whoami"),
        ("7.whoami", .name("7"), "7", "whoami"),
        ("unix-root.whoami", .name("unix-root"), "unix-root", "whoami"),
        ("calc[x].heart", .subname(name: "calc", sub: "x"), "calc[x]", "heart"),
        ("calc[x.y:z].heart", .subname(name: "calc", sub: "x.y:z"), "calc[x.y:z]", "heart"),
        ("taeki.calc[x].table.get", .name("taeki"), "taeki", "calc[x].table.get"),
        ("node2.taeki.echo", .name("node2"), "node2", "taeki.echo"),
    ] as [(String, CommandPath.Target, String, String)])
    func resolvesOnlyTheFirstElement(path: String, target: CommandPath.Target, element: String, remainder: String) throws {
        let parsed = try #require(CommandPath(bytes(path)))
        #expect(parsed.target == target)
        #expect(Array(parsed.targetElement(of: bytes(path)[...])) == bytes(element))
        #expect(Array(parsed.remainder(of: bytes(path))) == bytes(remainder))
    }

    @Test(arguments: [
        "x", "Heart", "a.b.c.d", "calc.", ".heart", "calc..heart", "calc.Heart", "calc.x",
        "calc[].heart", "calc[x.heart", "-x.heart", "123456789012345678.heart", "abcdefghijklmnopqr.heart",
        "a b.heart", "heart!", "abcdefghijklmnopqrstuvwx",
    ])
    func rejectsPathsOfTheWrongShape(path: String) {
        #expect(CommandPath(bytes(path)) == nil)
    }

    @Test func acceptsCommandNamesOfTwoToTwentyThreeCharacters() {
        #expect(CommandPath(bytes("ab")) != nil)
        #expect(CommandPath(bytes("a" + String(repeating: "b", count: 22))) != nil)
        #expect(CommandPath(bytes("a" + String(repeating: "b", count: 23))) == nil)
    }

    @Test func checksNamesByTheirDocumentedShapes() {
        #expect(Names.isUserName(bytes("a1234567890123456")))
        #expect(!Names.isUserName(bytes("a12345678901234567")))
        #expect(!Names.isUserName(bytes("_x")))
        #expect(Names.isSubname(bytes("x+.:_-")))
        #expect(!Names.isSubname(bytes("")))
        #expect(Names.isMethodName(bytes("c25519")))
        #expect(!Names.isMethodName(bytes("x")))
        #expect(!Names.isMethodName(bytes("5x")))
        #expect(Names.isSessionID(bytes("123")))
        #expect(!Names.isSessionID(bytes("12")))
    }
}
