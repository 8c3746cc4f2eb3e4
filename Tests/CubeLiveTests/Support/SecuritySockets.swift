import CubeAuth
import CubeClient
import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A hand-driven `c25519` client over ``RawSocket``: runs CubeAuth's ``ClientHandshake``
/// line by line, records the handshake lines it sent (for replay tests) and exposes the
/// encrypted stream frame by frame (for tampering tests).
final class SecureRawClient: @unchecked Sendable {
    enum Outcome: Equatable {
        case authenticated(server: PublicKey)
        /// The server refused; carries the line it sent (with LF) or "" if it just closed.
        case refused(String)
        case failed(String)
    }

    let socket: RawSocket
    let banner: [UInt8]
    /// Every byte this client sent in clear, in order (select, hello, auth).
    private(set) var clearSent: [[UInt8]] = []
    private var sender: SecretStreamSender?
    private var receiver: SecretStreamReceiver?
    private var plain: [UInt8] = []

    init(port: Int) throws {
        socket = try RawSocket(tcpPort: port)
        banner = socket.read(count: 32)
        guard banner.count == 32 else { throw LiveTestError.timeout("banner over TCP") }
    }

    /// Sends bytes in clear and records them.
    func sendClear(_ bytes: [UInt8]) {
        clearSent.append(bytes)
        socket.send(bytes)
    }

    /// `select c25519`, then the whole handshake; switches to encryption on success.
    /// - Parameter afterAuth: bytes sent in clear in the same write as the `auth` line.
    func logIn(identity: IdentityKey, expectedServer: PublicKey? = nil, afterAuth: [UInt8] = []) -> Outcome {
        sendClear(Array("select c25519\n".utf8))
        let selected = socket.readLine()
        guard selected == "TRUE continue\n" else { return .refused(selected) }
        var handshake = ClientHandshake(identity: identity, banner: banner, ephemeral: .generate(),
                                        expectedServer: expectedServer)
        sendClear(handshake.helloLine())
        while true {
            let line = socket.readLine()
            guard line.hasSuffix("\n") else { return .refused(line) }
            switch handshake.receive(line: Array(line.utf8)) {
            case .send(let bytes):
                sendClear(bytes + afterAuth)
            case .authenticated(let server, let keys):
                let sender = SecretStreamSender(key: keys.tx)
                socket.send(sender.header)
                self.sender = sender
                var receiver = SecretStreamReceiver(key: keys.rx)
                // The server's stream header follows AUTH_TRUE at once; take it now so later
                // checks for "nothing arrived" see only frames.
                let header = socket.read(count: SecretStreamFraming.headerByteCount)
                guard header.count == SecretStreamFraming.headerByteCount, (try? receiver.receive(header)) != nil else {
                    return .failed("no stream header from the server")
                }
                self.receiver = receiver
                return .authenticated(server: server)
            case .failed(.rejected):
                return .refused(line)
            case .failed(let failure):
                return .failed(failure.description)
            }
        }
    }

    /// Seals `text` into frames without sending them.
    func seal(_ text: String) -> [UInt8] {
        precondition(sender != nil, "not logged in")
        return sender!.seal(Array(text.utf8))
    }

    /// Seals and sends `text`.
    func sendSealed(_ text: String) { socket.send(seal(text)) }

    /// Decrypts incoming frames until the plaintext received so far ends with `suffix`;
    /// returns (and forgets) that plaintext. Returns what it has on timeout, close or a
    /// frame that fails to authenticate.
    func readPlain(until suffix: String, timeout: Double = 5) -> String {
        let wanted = Array(suffix.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while !plain.ends(with: wanted), deadline.timeIntervalSinceNow > 0 {
            let chunk = socket.read(count: 1, timeout: deadline.timeIntervalSinceNow)
            if chunk.isEmpty { break }
            guard let opened = try? receiver?.receive(chunk) else { break }
            plain += opened
        }
        defer { plain = [] }
        return String(decoding: plain, as: UTF8.self)
    }
}

/// A zenka logged in over TCP with `c25519` through ``P7Connection`` on its own thread. It
/// records every line it receives and answers `(<tid>)echo <text>` with
/// `(<tid>)TRUE zenka-says:<text reversed>`, so a reply never repeats the command's text.
final class TCPZenka: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var stopping = false
    private var thread: Thread?
    let serverKey: PublicKey

    /// Everything the zenka received so far.
    var received: [String] { lock.withLock { lines } }

    init(port: Int, identity: IdentityKey) throws {
        let connection = try P7Connection(address: .tcp(host: "127.0.0.1", port: port), timeout: .seconds(10))
        serverKey = try connection.loginC25519(identity: identity, expectedServer: nil)
        connection.timeout = .milliseconds(200)
        // Handed to the thread, which is its only user from now on.
        let owned = OwnedConnection(connection)
        let thread = Thread { [self] in
            let connection = owned.connection
            while !lock.withLock({ stopping }) {
                let line: [UInt8]
                do throws(ClientError) {
                    line = try connection.readLine()
                } catch .timeout {
                    continue
                } catch {
                    return
                }
                let text = String(decoding: line, as: UTF8.self)
                lock.withLock { lines.append(text) }
                guard text.hasPrefix("("), let close = text.firstIndex(of: ")") else { continue }
                let id = text[text.index(after: text.startIndex)..<close]
                let command = text[text.index(after: close)...]
                let reply = command.hasPrefix("echo ")
                    ? "(\(id))TRUE zenka-says:\(String(command.dropFirst(5).reversed()))\n"
                    : "(\(id))FALSE command does not exist\n"
                try? connection.sendRaw(Array(reply.utf8))
            }
            connection.close()
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.withLock { stopping = true }
    }

    deinit { stop() }
}

/// A connection handed over to exactly one other thread.
private final class OwnedConnection: @unchecked Sendable {
    let connection: P7Connection
    init(_ connection: P7Connection) { self.connection = connection }
}

/// `tcpdump -i lo -w FILE tcp port N` for the duration of a test.
final class PacketCapture: @unchecked Sendable {
    let file: URL
    private let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var errorText = ""

    static var tcpdump: String? {
        ["/usr/bin/tcpdump", "/usr/sbin/tcpdump", "/sbin/tcpdump", "/bin/tcpdump"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the capture and waits until tcpdump listens; nil (with `reason`) if it cannot.
    init?(port: Int, directory: URL, reason: inout String) {
        guard let tcpdump = Self.tcpdump else {
            reason = "tcpdump is not installed (apt-get install -y tcpdump)"
            return nil
        }
        file = directory.appendingPathComponent("capture-\(port).pcap")
        process.executableURL = URL(fileURLWithPath: tcpdump)
        process.arguments = ["-i", "lo", "-n", "-U", "--immediate-mode", "-s", "0", "-Z", "root", "-w", file.path, "tcp", "port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.errorText += String(decoding: data, as: UTF8.self) }
        }
        do {
            try process.run()
        } catch {
            reason = "tcpdump did not start: \(error)"
            return nil
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if lock.withLock({ errorText.contains("listening on") }) { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        reason = "tcpdump is not capturing: \(lock.withLock { errorText })"
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return nil
    }

    /// Stops tcpdump and returns the capture's bytes. `-U` writes every packet as it comes,
    /// so SIGKILL loses nothing (and works even though the test runner's children start with
    /// SIGINT and SIGTERM blocked).
    func stop() -> [UInt8] {
        usleep(500_000)  // let the last segments reach the capture
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        return (try? Array(Data(contentsOf: file))) ?? []
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes.
    func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= count else { return pattern.isEmpty }
        for start in 0...(count - pattern.count) where self[start] == pattern[0] {
            if self[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }
}
