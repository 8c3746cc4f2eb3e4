import Foundation

/// Paths of the project's executables, built next to the test bundle.
public enum Binaries {
    /// The folder holding the executables: `$CUBE_BIN_DIR` if set, else the test bundle's folder.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["CUBE_BIN_DIR"] { return URL(fileURLWithPath: override) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The `cube` executable.
    public static var cube: String { directory.appendingPathComponent("cube").path }
    /// The `p7` executable.
    public static var p7: String { directory.appendingPathComponent("p7").path }
    /// The `zenka` executable.
    public static var zenka: String { directory.appendingPathComponent("zenka").path }
}
