import CubeFUSE
import Foundation
import Glibc
import Testing

extension Tag {
    @Tag static var mount: Self
}

/// A temporary mount point (mode 0755, so other users can reach it).
func makeMountPoint() throws -> String {
    var template = Array((NSTemporaryDirectory() + "cubefuse-XXXXXX").utf8CString)
    guard let path = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
        throw POSIXError(.EIO)
    }
    let result = String(cString: path)
    chmod(result, 0o755)
    return result
}

/// Mounts a fresh ``ToyFileSystem``, runs `body`, and unmounts and removes the directory on every path.
func withToyMount(
    options: MountOptions = MountOptions(drainTimeout: .milliseconds(250)),
    _ body: (FUSEMount, ToyFileSystem, String) async throws -> Void
) async throws {
    let path = try makeMountPoint()
    defer { rmdir(path) }
    let fileSystem = ToyFileSystem()
    let mount = try await offPool { Result { try FUSEMount(fileSystem: fileSystem, at: path, options: options) } }.get()
    do {
        try await body(mount, fileSystem, path)
    } catch {
        await offPool { mount.unmount() }
        throw error
    }
    await offPool { mount.unmount() }
    #expect(!FUSEMount.isMounted(at: path))
}

/// Mount points listed in this process's mount table (never touches the mount itself).
func mountInfoLines(containing path: String) -> [String] {
    let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init).filter { $0.contains(" \(path) ") }
}
