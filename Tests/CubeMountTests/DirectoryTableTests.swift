@testable import CubeMount
import CubeCore
import Logging
import Testing

/// The directories list exactly their ``DirectoryTable`` rows (no FUSE, no root needed).
@Suite struct DirectoryTableTests {
    @Test func theRootAZenkaAndASessionListTheirRows() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "table-test"))
        let root = fileSystem.children(of: .root).map(\.name)
        #expect(root == ["README", "status", "metrics", "events", "cmd", "out", "ask",
                         "zenki", "sessions", "nodes", "offers", "leases", "ledger"])
        let zenka = hub.connectLocal(Sink(), user: "calc", transport: .local("stdio"), kind: .zenka)
        #expect(fileSystem.children(of: .zenka("calc")).map(\.name) == ["cmd", "out", "ask", "info", "sessions", "stats"])
        #expect(fileSystem.children(of: .session(zenka)).map(\.name) == ["cmd", "out", "ask", "info"])
        #expect(fileSystem.children(of: .zenka("nosuch")).isEmpty)
    }
}
