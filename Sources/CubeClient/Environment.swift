#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads process environment variables without Foundation (keeps `p7` start-up fast).
enum Environment {
    /// The value of the variable `name`, or nil if it is not set.
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
