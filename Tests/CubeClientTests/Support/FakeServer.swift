import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A scripted one-connection Protocol-7 server on a temporary unix socket.
///
/// The script runs on its own `Thread`, never on the Swift concurrency pool: the client under
/// test blocks a pool thread, and with two cores a pool-based server could starve.
final class FakeServer: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case timeout(String)
        case script(String)

        var description: String {
            switch self {
            case .system(let call, let code): "\(call) failed: errno \(code)"
            case .timeout(let what): "fake server timed out: \(what)"
            case .script(let detail): detail
            }
        }
    }

    /// The socket path clients connect to.
    let path: String
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    /// Set by the server thread before it signals `finished`.
    private let outcome = Mutex<Result<Void, any Error>?>(nil)

    /// The well-formed banner.
    static let banner = Array(#"\\PROTOCOL-7-VERSION\\NZXZDSA\\"#.utf8) + [0x0A]

    /// Starts listening and runs `script` for the first accepted connection.
    init(script: @escaping @Sendable (FakePeer) throws -> Void) throws {
        path = "/tmp/p7-client-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.system("bind/listen", code)
        }
        listener = fd
        let thread = Thread { [self] in
            let result = Result { () throws -> Void in
                let peer = try FakePeer(accepting: listener)
                defer { peer.close() }
                try script(peer)
            }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.start()
    }

    deinit {
        Glibc.close(listener)
        unlink(path)
    }

    /// Waits for the script to end and rethrows its error.
    func finish(timeout: Double = 10) throws {
        guard finished.wait(timeout: .now() + timeout) == .success else { throw Failure.timeout("script did not end") }
        try outcome.withLock { $0 }?.get()
    }
}

/// The server side of one accepted connection, with blocking helpers bounded by timeouts.
final class FakePeer: Sendable {
    let descriptor: Int32

    init(accepting listener: Int32) throws {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 10_000) == 1 else { throw FakeServer.Failure.timeout("no client connected") }
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { throw FakeServer.Failure.system("accept", errno) }
        descriptor = fd
    }

    func close() {
        Glibc.close(descriptor)
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw FakeServer.Failure.system("send", errno) }
            offset += written
        }
    }

    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    func sendBanner() throws {
        try write(FakeServer.banner)
    }

    /// One `recv`: exactly what one read returns (empty at end of file).
    func readOnce(timeout: Int32 = 10_000) throws -> [UInt8] {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, timeout) == 1 else { throw FakeServer.Failure.timeout("nothing received") }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw FakeServer.Failure.system("recv", errno) }
        return Array(buffer.prefix(count))
    }

    /// Reads until `count` LFs arrived (or end of file); returns all bytes.
    func readLines(_ count: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        while received.filter({ $0 == 0x0A }).count < count {
            let bytes = try readOnce()
            if bytes.isEmpty { break }
            received += bytes
        }
        return received
    }

    /// Reads `select unix⏎auth NAME⏎` in one read and answers with a successful login.
    /// Returns the bytes of that one read.
    @discardableResult
    func acceptUnixLogin() throws -> [UInt8] {
        let login = try readOnce()
        try write("TRUE continue\nAUTH_TRUE =)\n")
        return login
    }

    /// Sleeps a little so the next write arrives as a separate segment.
    func pause() {
        usleep(20_000)
    }
}
