import CubeCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `storage` zenka's blobs: files in one directory under a ``StorageQuota``.
///
/// An actor, so puts and deletes are serialized and the quota check and the write are one step.
/// Writes go to a temporary file that is renamed into place, so a reader never sees half a blob.
public actor BlobStore {
    /// Why an operation failed; ``description`` is the text of the `FALSE` reply.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The name breaks ``BlobName``'s rules.
        case invalidName(String)
        /// No blob of that name.
        case notFound(String)
        /// Storing would exceed the quota.
        case quotaExceeded
        /// The file system refused; carries its message.
        case io(String)

        /// The reason, e.g. `quota exceeded`.
        public var description: String {
            switch self {
            case .invalidName(let name): "invalid name '\(name)' (use 1-64 of A-Z a-z 0-9 . _ -, not starting with .)"
            case .notFound(let name): "no such blob '\(name)'"
            case .quotaExceeded: "quota exceeded"
            case .io(let message): "storage error: \(message)"
            }
        }
    }

    /// The directory holding the blobs.
    public nonisolated let directory: URL
    /// The quota.
    public nonisolated let quota: StorageQuota
    private var sizes: [String: Int] = [:]
    /// Bytes held for leases (docs/resources.md "The storage sample"), per lease id.
    private var reservations: [UInt64: Int] = [:]

    /// Opens (creating if needed) the store in `directory` and indexes the blobs already there.
    /// - Parameters:
    ///   - directory: the storage directory.
    ///   - quota: the quota in bytes.
    /// - Throws: if the directory cannot be created or read.
    public init(directory: URL, quota: StorageQuota) throws {
        self.directory = directory
        self.quota = quota
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        var sizes: [String: Int] = [:]
        for name in try manager.contentsOfDirectory(atPath: directory.path) where BlobName.isValid(name) {
            let attributes = try manager.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            sizes[name] = (attributes[.size] as? NSNumber)?.intValue ?? 0
        }
        self.sizes = sizes
    }

    /// The bytes all blobs hold.
    public var used: Int { sizes.values.reduce(0, +) }

    /// The bytes held for leases.
    public var reserved: Int { reservations.values.reduce(0, +) }

    /// The bytes still free under the quota: neither used by blobs nor held for leases.
    public var free: Int { quota.free(used: used + reserved) }

    /// Holds `bytes` for lease `lease` (replacing what that lease held): `put` can no longer
    /// use them.
    /// - Throws: ``Failure/quotaExceeded`` if they are not free.
    public func reserve(lease: UInt64, bytes: Int) throws(Failure) {
        let others = reserved - (reservations[lease] ?? 0)
        guard bytes >= 0, quota.allows(newSize: bytes, used: used + others) else { throw .quotaExceeded }
        reservations[lease] = bytes
    }

    /// Gives back what lease `lease` held; nothing if it held nothing.
    public func unreserve(lease: UInt64) { reservations[lease] = nil }

    /// Gives back every reservation (the cube ended all leases: the connection was lost).
    public func unreserveAll() { reservations.removeAll() }

    /// Every blob's name and size, sorted by name.
    public func list() -> [(name: String, bytes: Int)] {
        sizes.sorted { $0.key < $1.key }.map { (name: $0.key, bytes: $0.value) }
    }

    /// ``list()`` as an aligned text table with the columns `name` and `bytes`.
    public func listing() -> String {
        var table = TextTable(headers: ["name", "bytes"])
        for entry in list() { table.append([entry.name, String(entry.bytes)]) }
        return table.render()
    }

    /// Stores `bytes` as `name`, replacing a blob of that name.
    /// - Throws: ``Failure/invalidName(_:)``, ``Failure/quotaExceeded`` or ``Failure/io(_:)``.
    public func put(_ name: String, _ bytes: [UInt8]) throws(Failure) {
        guard BlobName.isValid(name) else { throw .invalidName(name) }
        guard quota.allows(newSize: bytes.count, replacing: sizes[name] ?? 0, used: used + reserved) else { throw .quotaExceeded }
        let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try Data(bytes).write(to: temporary)
            // rename(2) replaces an existing blob atomically.
            guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else {
                throw Failure.io(String(cString: strerror(errno)))
            }
        } catch let failure as Failure {
            try? FileManager.default.removeItem(at: temporary)
            throw failure
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .io("\(error.localizedDescription)")
        }
        sizes[name] = bytes.count
    }

    /// The bytes of `name`.
    /// - Throws: ``Failure/invalidName(_:)``, ``Failure/notFound(_:)`` or ``Failure/io(_:)``.
    public func get(_ name: String) throws(Failure) -> [UInt8] {
        guard BlobName.isValid(name) else { throw .invalidName(name) }
        guard sizes[name] != nil else { throw .notFound(name) }
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            throw .io("cannot read '\(name)'")
        }
        return Array(data)
    }

    /// Deletes `name`.
    /// - Throws: ``Failure/invalidName(_:)``, ``Failure/notFound(_:)`` or ``Failure/io(_:)``.
    public func delete(_ name: String) throws(Failure) {
        guard BlobName.isValid(name) else { throw .invalidName(name) }
        guard sizes[name] != nil else { throw .notFound(name) }
        do {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        } catch {
            throw .io("\(error.localizedDescription)")
        }
        sizes[name] = nil
    }
}
