import Foundation

/// Paths of the project's executables, built next to the test bundle.
enum Binaries {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["CUBE_BIN_DIR"] { return URL(fileURLWithPath: override) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static var cube: String { directory.appendingPathComponent("cube").path }
    static var p7: String { directory.appendingPathComponent("p7").path }
}
