#if canImport(Glibc)
import Glibc
#endif

/// Looks up unix user names in the password database.
package enum UnixUser {
    /// The name of user `uid`, or nil when it has none.
    package static func name(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result) == 0, result != nil,
              let name = entry.pw_name
        else { return nil }
        return String(cString: name)
    }

    /// The name of the user running this process ("root" if it has none).
    package static var current: String { name(of: UInt32(getuid())) ?? "root" }
}
