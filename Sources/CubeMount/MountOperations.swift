import Synchronization

/// Counts the filesystem operations the mount served, by kind, for the metrics endpoint
/// (`cube_mount_operations_total`, docs/configuration.md "Monitoring").
final class MountOperations: Sendable {
    enum Kind: Int, CaseIterable, Sendable {
        case lookup, getattr, readdir, open, read, write, flush, release, poll, setattr, unlink, rmdir

        var name: String { "\(self)" }
    }

    private let counts = Mutex([UInt64](repeating: 0, count: Kind.allCases.count))

    func count(_ kind: Kind) {
        counts.withLock { $0[kind.rawValue] &+= 1 }
    }

    /// Operations served so far, by name.
    var snapshot: [String: UInt64] {
        let values = counts.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0.name, values[$0.rawValue]) })
    }
}
