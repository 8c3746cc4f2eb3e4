@testable import CubeMount
import CubeFUSE
import Foundation
import Testing

/// `poll`/`select` on `ask` report readable once a reply or the end is there
/// (docs/filesystem.md "`ask`"): a hostile tester found a poller asleep while `read`
/// returned end of file, after the last reply was read and on an `ask` never written to.
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct AskPollTests {
    /// Opens the root `ask`, writes `command` and reads to end of file (if given), then polls
    /// for `POLLIN` (2 s at most): prints `readable` or `asleep`, then what a read returns.
    private static func poll(_ path: String, writing command: String?) -> (status: Int32, output: String, errors: String) {
        let script = """
            import os, select, sys
            fd = os.open(sys.argv[1], os.O_RDWR)
            if len(sys.argv) > 2:
                os.write(fd, sys.argv[2].encode() + b"\\n")
                while os.read(fd, 4096): pass
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            print("readable" if poller.poll(2000) else "asleep", repr(os.read(fd, 4096)))
            """
        return run("exec /usr/bin/python3 -c '\(script)' '\(path)/ask' \(command.map { "'\($0)'" } ?? "")")
    }

    @Test func anAskReadToItsEndPollsReadable() throws {
        try withMountedHub { _, _, path in
            let polled = Self.poll(path, writing: "(5)heart")
            #expect(polled.output == "readable b''\n", "\(polled)")
        }
    }

    @Test func anAskNeverWrittenToPollsReadable() throws {
        try withMountedHub { _, _, path in
            let polled = Self.poll(path, writing: nil)
            #expect(polled.output == "readable b''\n", "\(polled)")
        }
    }
}
