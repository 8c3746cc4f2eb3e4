import ArgumentParser
import CubeFUSE
import Foundation

extension Cube {
    /// Removes a cube mount, also a stale one left by a killed cube.
    struct Unmount: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unmount a mounted network (also a stale mount).",
            discussion: "Fails (exit status 1) when nothing is mounted at the directory or it does not exist.")

        @Argument(help: "The mount point.")
        var directory: String

        func run() throws {
            // Checked first: a stale mount answers ENOTCONN, so it does not look like a directory.
            if FUSEMount.isMounted(at: directory) {
                try FUSEMount.unmount(at: directory)
                print("unmounted \(directory)")
                return
            }
            // A script that unmounts the wrong path must notice (docs/filesystem.md).
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw UnmountFailure(description: "no such directory \(directory)")
            }
            throw UnmountFailure(description: "nothing mounted at \(directory)")
        }
    }

    /// Why `cube unmount` did nothing; ArgumentParser prints it and exits with status 1.
    struct UnmountFailure: Error, CustomStringConvertible {
        let description: String
    }
}
