/// Who sent a kernel request: the credentials FUSE reports for the calling process (`fuse_req_ctx`).
package struct RequestContext: Sendable, Hashable {
    /// Effective user id of the calling process.
    package var uid: UInt32
    /// Effective group id of the calling process.
    package var gid: UInt32
    /// Thread id of the calling process (0 for requests not tied to a process, e.g. forget).
    package var pid: Int32
    /// Umask of the calling process (only meaningful for create and mkdir).
    package var umask: UInt32

    /// Creates a context; used by the bridge and by tests that call a ``FileSystem`` directly.
    /// - Parameters:
    ///   - uid: Effective user id.
    ///   - gid: Effective group id.
    ///   - pid: Process (thread) id.
    ///   - umask: The caller's umask.
    package init(uid: UInt32, gid: UInt32, pid: Int32, umask: UInt32 = 0o022) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.umask = umask
    }
}
