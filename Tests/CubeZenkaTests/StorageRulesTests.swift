import CubeZenka
import Foundation
import Testing

@Suite struct StorageRulesTests {
    @Test(arguments: ["a", "notes.txt", "A-b_c.9", String(repeating: "x", count: 64), "a..b"])
    func acceptsNames(_ name: String) {
        #expect(BlobName.isValid(name))
    }

    @Test(arguments: ["", ".", "..", ".hidden", "../etc", "a/b", "/abs", "a b", "ä", "a\n", "a\0b",
                      String(repeating: "x", count: 65), "name*", "~root"])
    func rejectsNames(_ name: String) {
        #expect(!BlobName.isValid(name))
    }

    @Test func quotaCountsReplacedBlobs() {
        let quota = StorageQuota(limit: 100)
        #expect(quota.allows(newSize: 100, used: 0))
        #expect(!quota.allows(newSize: 101, used: 0))
        #expect(!quota.allows(newSize: 11, used: 90))
        #expect(quota.allows(newSize: 30, replacing: 20, used: 90))
        #expect(!quota.allows(newSize: 31, replacing: 20, used: 90))
        #expect(quota.free(used: 30) == 70)
        #expect(quota.free(used: 130) == 0)
        #expect(StorageQuota(limit: -5).limit == 0)
    }

    @Test func blobStoreEnforcesNamesAndQuota() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try BlobStore(directory: directory, quota: StorageQuota(limit: 10))
        try await store.put("a", Array("12345".utf8))
        try await store.put("b", Array("123".utf8))
        #expect(await store.used == 8)
        await #expect(throws: BlobStore.Failure.quotaExceeded) { try await store.put("c", Array("123".utf8)) }
        try await store.put("a", Array("1234567".utf8))
        #expect(await store.free == 0)
        await #expect(throws: BlobStore.Failure.invalidName("../x")) { try await store.put("../x", []) }
        await #expect(throws: BlobStore.Failure.notFound("zz")) { try await store.get("zz") }
        #expect(try await store.get("a") == Array("1234567".utf8))
        try await store.delete("b")
        #expect(await store.list().map(\.name) == ["a"])
        // A reopened store sees what is on disk, and nothing escaped the directory.
        let reopened = try BlobStore(directory: directory, quota: StorageQuota(limit: 10))
        #expect(await reopened.used == 7)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a"])
    }

    @Test func logBookKeepsTheNewestLines() {
        var book = LogBook(capacity: 3)
        #expect(book.tail(5).isEmpty)
        for index in 1...5 { book.append("line \(index)") }
        #expect(book.count == 3)
        #expect(book.tail(2) == ["line 4", "line 5"])
        #expect(book.tail(10) == ["line 3", "line 4", "line 5"])
        #expect(book.tail(0).isEmpty)
    }
}
