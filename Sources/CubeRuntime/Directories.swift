#if canImport(Glibc)
import Glibc
#endif

/// Directories the cube makes for its socket and its mount point.
package enum Directories {
    /// Creates `path` and its missing parents (mode 0755), like `mkdir -p`.
    package static func make(_ path: String) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o755)
        }
    }
}
