import Foundation

/// Files a child process writes its output to.
public enum ChildOutput {
    /// Closes the test process's own descriptors for files handed to a child as its stdout or
    /// stderr, once the child runs (it has copies of its own).
    ///
    /// Left open they live as long as Foundation keeps the `Process`, which is past the test:
    /// `MountLiveTests` alone held about 1,300 of them (deleted output files), and with that
    /// many descriptors swift-corelibs-foundation's `Process.run()` can crash: it copies each
    /// `/proc/self/fd` entry's whole 256-byte name, reading past the end of its buffer when an
    /// entry is the last in it (swiftlang/swift-corelibs-foundation#5472, fixed after Swift
    /// 6.3.1). The full suite crashed so in CI, starting a cube.
    public static func closeParentCopies(_ handles: FileHandle?...) {
        for handle in handles { try? handle?.close() }
    }
}
