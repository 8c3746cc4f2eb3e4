import CubeFUSE

/// The mount could not be set up; says how to run without it (docs/filesystem.md).
///
/// Without usable FUSE (not root, no `/dev/fuse`, no `fusermount3`) the cube stops rather
/// than serve silently without the mount it was configured for, and names the way out.
package struct MountUnavailable: Error, CustomStringConvertible {
    /// Why mounting failed.
    package let reason: FUSEError

    package var description: String {
        "\(reason); to serve without the mount, run `cube run --no-mount` (or set mount.path empty)"
    }
}
