import Testing
@testable import cube

/// The original v7 manager's start-up contract (docs/protocol.md §12).
@Suite struct V7StartupTests {
    @Test func findsTheKeyInV7sInitLines() {
        let stdin = "[base.log.set_level:'3']\n[base.auth.set_v7_key:'nxaZ4zDubs8q3mwFEAd2LWKLkZakMyNnjDJAthLWz']\n"
        #expect(V7Startup.key(in: stdin) == "nxaZ4zDubs8q3mwFEAd2LWKLkZakMyNnjDJAthLWz")
        #expect(V7Startup.key(in: "[base.auth.set_zenka_key:'abc']\n") == nil)
        #expect(V7Startup.key(in: "[base.auth.set_v7_key:'']\n") == nil)
        #expect(V7Startup.key(in: "[base.auth.set_v7_key:'a b']\n") == nil)
        #expect(V7Startup.key(in: "[base.auth.set_v7_key:'abc") == nil)
    }

    @Test func printsTheLineV7WaitsFor() {
        #expect(V7Startup.readyLine(node: "cube", user: "protocol-7") == ". cube.cube . switched to unix user 'protocol-7'.,\n")
    }
}
