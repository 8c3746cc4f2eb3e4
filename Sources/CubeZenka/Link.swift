import CubeAuth
import CubeClient
import CubeCore
import Foundation
import Synchronization

/// One logged-in connection to the cube: a dedicated reader thread and serialized writes.
///
/// The blocking ``P7Connection`` is shared by exactly two parties: the reader thread, the only
/// one that reads and the only one that closes, and writers, which go through `writeLock` one at
/// a time. That discipline is why the class is `@unchecked Sendable`. Reads wake up every
/// ``pollInterval`` to notice ``close()``, so no thread of the Swift concurrency pool ever blocks
/// on the socket.
final class Link: @unchecked Sendable {
    /// What the reader thread reports, in wire order.
    enum Event: Sendable {
        /// A complete message.
        case frame(Frame)
        /// The connection ended; carries the reason for the log.
        case closed(String)
    }

    /// How often the reader thread checks whether it was asked to stop.
    static let pollInterval: Duration = .milliseconds(250)

    /// Incoming messages in wire order; finishes after ``Event/closed(_:)``.
    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let connection: P7Connection
    /// What our `SIZE`/`STRM` counts count, agreed at login (docs/protocol.md §5); fixed after.
    let sizeUnit: SizeUnit
    /// Guards writes and the close of `connection`; true once closed.
    private let writeLock = Mutex(false)
    private let stopRequested = Atomic(false)

    private init(connection: P7Connection) {
        self.connection = connection
        sizeUnit = connection.sizeUnit
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
    }

    /// Connects and logs in on a fresh thread (never on the concurrency pool), then starts reading.
    /// - Parameters:
    ///   - address: the cube's unix socket or TCP address.
    ///   - login: the login to perform.
    ///   - timeout: the longest silence during connect and login.
    /// - Returns: the logged-in link.
    /// - Throws: a ``ClientError`` when connect or login fails.
    static func open(address: ClientAddress, login: LoginPlan.Step, timeout: Duration) async throws -> Link {
        let link: Link = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { () throws(ClientError) -> Link in
                    let connection = try P7Connection(address: address, timeout: timeout)
                    switch login {
                    case .zenka(let name, let key): try connection.loginZenka(name: name, key: key)
                    case .unix(let user): try connection.loginUnix(user: user)
                    case .callout(let user, let credential): try connection.loginCallout(user: user, credential: credential)
                    case .c25519(let identityPath, let certificatePath):
                        try loginC25519(connection, identityPath: identityPath, certificatePath: certificatePath)
                    }
                    // Settled before any reply is written, so every body is counted as the
                    // cube reads it: bytes on ours, characters on an original cube.
                    try connection.requestByteCounts()
                    try connection.settleSizeUnit()
                    connection.timeout = pollInterval
                    return Link(connection: connection)
                })
            }
            thread.name = "zenka-connect"
            thread.start()
        }
        link.startReading()
        return link
    }

    /// Loads the key (and certificate) and logs in with `c25519`. The server key is not
    /// pinned: the SDK connects over the local unix socket only, whose path is the trust.
    private static func loginC25519(_ connection: P7Connection, identityPath: String,
                                    certificatePath: String?) throws(ClientError) {
        let identity: IdentityKey
        let certificate: KeyCertificate?
        do throws(AuthError) {
            identity = try IdentityKey.read(from: identityPath)
            certificate = try certificatePath.map { path throws(AuthError) in try KeyCertificate.read(from: path) }
        } catch {
            connection.close()
            throw ClientError.loginFailed("cannot load the identity or certificate: \(error)")
        }
        try connection.loginC25519(identity: identity, expectedServer: nil, certificate: certificate?.text)
    }

    private func startReading() {
        let thread = Thread { [self] in readLoop() }
        thread.name = "zenka-reader"
        thread.start()
    }

    private func readLoop() {
        var reason = "closed by the zenka"
        while !stopRequested.load(ordering: .acquiring) {
            do {
                let frame = try connection.readFrame()
                continuation.yield(.frame(frame))
            } catch .timeout {
                continue
            } catch {
                reason = error.description
                break
            }
        }
        writeLock.withLock { closed in
            closed = true
            connection.close()
        }
        continuation.yield(.closed(reason))
        continuation.finish()
    }

    /// Writes `bytes` whole; writes from concurrent tasks never interleave.
    /// - Throws: ``ZenkaError/disconnected`` once the link is closed, or the socket's error.
    func write(_ bytes: [UInt8]) throws {
        try writeLock.withLock { closed throws in
            guard !closed else { throw ZenkaError.disconnected }
            try connection.sendRaw(bytes)
        }
    }

    /// Asks the reader thread to close the connection; ``events`` ends within ``pollInterval``.
    func close() {
        stopRequested.store(true, ordering: .releasing)
    }
}
