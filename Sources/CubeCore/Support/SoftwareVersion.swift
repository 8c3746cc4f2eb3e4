/// The version of this software (the cube, `p7`, `zenka`), as `--version`, the `version`
/// local command, the mount's `status` and the start-up line show it (docs/protocol.md §8).
///
/// A constant rather than a file generated from `git describe`: a clean clone (CI) builds
/// without a generation step, and no generated file can go stale in the repository. It is
/// raised with each release; the wire protocol's own version is ``Wire/version``.
package enum SoftwareVersion {
    /// The release number, `MAJOR.MINOR.PATCH`.
    package static let number = "0.1.0"

    /// `<tool> <number>`, the line `--version` prints.
    package static func line(tool: String) -> String { "\(tool) \(number)" }
}
