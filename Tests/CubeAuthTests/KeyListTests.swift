import CubeAuth
import Foundation
import Testing

@Suite struct KeyListTests {
    let alice = TestSupport.identity(2).publicKey
    let bob = TestSupport.identity(3).publicKey

    @Test func authorizedKeysParsesEntriesCommentsAndBlankLines() throws {
        let text = """
            # authorized keys

            \(alice) alice   # laptop
            \(bob)\tbob
              # indented comment
            """
        let keys = try AuthorizedKeys(parsing: text)
        #expect(keys.user(for: alice) == "alice")
        #expect(keys.user(for: bob) == "bob")
        #expect(keys.user(for: TestSupport.identity(4).publicKey) == nil)
        #expect(keys.users.count == 2)
    }

    @Test func authorizedKeysErrorsNameTheLine() {
        let cases = [
            ("\(alice)\n", 1), ("# x\n\nNOTAKEY alice\n", 3), ("\(alice) alice extra\n", 1),
            ("\(alice) -bad\n", 1), ("\(alice) alice\n\(alice) bob\n", 2),
        ]
        for (text, line) in cases {
            do {
                _ = try AuthorizedKeys(parsing: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.kind == .malformed)
                #expect(error.description.contains("line \(line):"), "\(error)")
            }
        }
    }

    @Test func knownNodesPinsWritesAndReads() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/known-nodes"
        var nodes = try KnownNodes.read(from: path)  // missing file: empty
        #expect(nodes.key(for: "tcp:localhost:7007") == nil)
        nodes.pin(node: "tcp:localhost:7007", key: alice)
        nodes.pin(node: "beta", key: bob)
        try nodes.write(to: path)
        let reread = try KnownNodes.read(from: path)
        #expect(reread == nodes)
        #expect(reread.key(for: "tcp:localhost:7007") == alice)
        nodes.pin(node: "beta", key: alice)
        #expect(nodes.key(for: "beta") == alice)
    }

    @Test func knownNodesParsingRejectsBadLines() {
        #expect(throws: AuthError.self) { _ = try KnownNodes(parsing: "alpha\n") }
        #expect(throws: AuthError.self) { _ = try KnownNodes(parsing: "alpha NOTAKEY\n") }
        #expect(throws: AuthError.self) { _ = try KnownNodes(parsing: "alpha \(alice)\nalpha \(bob)\n") }
        #expect((try? KnownNodes(parsing: "# c\nalpha \(alice) # pinned\n"))?.key(for: "alpha") == alice)
        #expect(!KnownNodes.isValidName("a b"))
        #expect(!KnownNodes.isValidName("a#b"))
        #expect(KnownNodes.isValidName("tcp:[::1]:7007"))
    }
}
