#if canImport(Glibc)
import Glibc
#endif

/// Looks up unix user names in the password database.
package enum UnixUser {
    /// What the password database said about one uid.
    package enum Lookup: Equatable, Sendable {
        /// The uid's user name.
        case name(String)
        /// The database has no user with this uid.
        case none
        /// The database could not be read (`getpwuid_r`'s error number: out of descriptors,
        /// memory or I/O): a temporary failure, not an answer about the uid.
        case failed(Int32)

        /// The user name, when the database gave one.
        package var name: String? {
            if case .name(let name) = self { return name }
            return nil
        }

        /// Why the database could not be read (`strerror`), when it could not.
        package var failure: String? {
            if case .failed(let code) = self { return String(cString: strerror(code)) }
            return nil
        }
    }

    /// Looks `uid` up, growing the buffer for a long entry instead of taking it for a missing
    /// user (docs/security.md "Logins when the machine runs short").
    package static func lookup(_ uid: UInt32, bufferSize: Int = 4096) -> Lookup {
        var size = max(bufferSize, 1)
        while true {
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: size)
            let code = getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result)
            if code == ERANGE, size < 1 << 20 {
                size *= 4
                continue
            }
            // getpwuid_r(3): 0, ENOENT, ESRCH, EBADF and EPERM all mean "not found".
            guard code == 0 || code == ENOENT || code == ESRCH || code == EBADF || code == EPERM else {
                return .failed(code)
            }
            guard result != nil, let name = entry.pw_name else { return .none }
            return .name(String(cString: name))
        }
    }

    /// The name of user `uid`, or nil when it has none or the database cannot be read.
    package static func name(of uid: UInt32) -> String? { lookup(uid).name }

    /// The name of the user running this process ("root" if it has none).
    package static var current: String { name(of: UInt32(getuid())) ?? "root" }
}
