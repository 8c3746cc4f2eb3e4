import ArgumentParser
import CubeFUSE

extension Cube {
    /// Removes a cube mount, also a stale one left by a killed cube.
    struct Unmount: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unmount a mounted network (also a stale mount).")

        @Argument(help: "The mount point.")
        var directory: String

        func run() throws {
            if FUSEMount.isMounted(at: directory) {
                try FUSEMount.unmount(at: directory)
                print("unmounted \(directory)")
            } else {
                print("nothing mounted at \(directory)")
            }
        }
    }
}
