@testable import CubeMount
import CubeFUSE
import Foundation
import Testing

/// A line that straddles writes is one command, whoever else closes a copy of the descriptor
/// meanwhile; a last line without LF goes when the last descriptor is closed
/// (docs/filesystem.md "`cmd`"). A hostile tester found the line cut in two by any child that
/// inherited the descriptor and exited: FUSE sends `FLUSH` on every `close(2)`.
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct UnfinishedLineTests {
    /// `(9)hea`, a child exits, `rt` with or without LF, then the last close.
    @Test(arguments: ["rt\\n", "rt"])
    func aChildClosingItsCopyDoesNotCutTheLine(ending: String) throws {
        try withMountedHub { _, _, path in
            let written = run("exec 3>\(path)/cmd; printf '(9)hea' >&3; /bin/true; printf '\(ending)' >&3; exec 3>&-")
            #expect(written.status == 0, "\(written)")
            let out = run("timeout -s KILL 3 grep -m 1 -F '(9)' \(path)/out")
            #expect(out.output == "(9)TRUE beating\n", "\(out)")
        }
    }
}
