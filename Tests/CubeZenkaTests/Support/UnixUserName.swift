#if canImport(Glibc)
import Glibc
#endif

/// The unix user running the tests.
enum UnixUserName {
    static var current: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }
}
