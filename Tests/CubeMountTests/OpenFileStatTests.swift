@testable import CubeMount
import CubeFUSE
import Foundation
import Testing

/// A file stays `fstat`-able while open, after its session is gone: its content stays fixed
/// for that open (docs/filesystem.md "Text files"). A hostile tester found `cat <&5` of an
/// open `sessions/<sid>/info` failing with `ENOENT` once the session had ended (`cat` stats
/// its input first).
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct OpenFileStatTests {
    @Test func anOpenInfoOfAnEndedSessionStaysReadable() throws {
        try withMountedHub { hub, _, path in
            let session = hub.connectLocal(Sink(), user: "gone", transport: .local("test"))
            // Opens the file, waits for the session to end and for the kernel's cached
            // attributes (1 s) to expire, then reads through the descriptor.
            let read = try runPausing("""
                exec 5<\(path)/sessions/\(session)/info && \(pauseInScript)
                sleep 1.3
                cat <&5
                """) {
                hub.disconnected(session)
            }
            #expect(read.status == 0, "\(read.output)")
            #expect(read.output.hasPrefix("sid: \(session)\nuser: gone\n"), "\(read.output)")
        }
    }
}
