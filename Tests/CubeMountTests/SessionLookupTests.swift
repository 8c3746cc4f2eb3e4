@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Foundation
import Logging
import Testing

/// A lookup of one `sessions/<sid>` does not list every session (docs/filesystem.md "Listing
/// and caching"): a hostile tester found `ls -l sessions` with thousands of sessions quadratic
/// under the hub's lock, each lookup filtering and sorting all of them.
@Suite struct SessionLookupTests {
    @Test func lookingUpEverySessionIsLinear() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "lookup-test"),
                                           userNames: { _ in .name("tester") })
        let context = RequestContext(uid: 0, gid: 0, pid: 1, umask: 0)
        let sessions = (0..<3000).map { hub.connectLocal(Sink(), user: "user\($0 % 7)", transport: .local("test")) }
        let parent = fileSystem.state.withLock { $0.nodes.ino(for: .directory(.sessions)) }
        let listings = fileSystem.listingsBuilt.withLock { $0 }
        for session in sessions {
            #expect(throws: Never.self) { try fileSystem.lookup(parent: parent, name: String(session), context: context).get() }
        }
        // Found by id, not in a listing of all 3,000 per lookup (which took 13 s here).
        #expect(fileSystem.listingsBuilt.withLock { $0 } == listings)
        // Names that are no session's, or not the id's own spelling, are not found.
        for name in ["0\(sessions[0])", "x", String(UInt64.max)] {
            guard case .failure(let error) = fileSystem.lookup(parent: parent, name: name, context: context) else {
                Issue.record("sessions/\(name) was found")
                continue
            }
            #expect(error == .noSuchFileOrDirectory)
        }
    }
}
