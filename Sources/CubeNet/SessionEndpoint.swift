import CubeCore

/// Where the bytes of one session go: a socket connection, a filesystem port, the manager.
///
/// Implementations must accept calls from any thread and keep the order of `send` calls.
public protocol SessionEndpoint: AnyObject, Sendable {
    /// Queues bytes for the peer; must not block.
    func send(_ bytes: [UInt8])
    /// Closes the peer after everything sent before has been delivered.
    func close()
}
