import CubeClient
import CubeTestSupport
import Foundation

/// A resource provider for the market live tests (docs/market.md): one session of a real cube
/// that makes one offer and grants every `lease-request` at once, on its own thread, counting
/// the requests. The cube does the reserving; this only answers, so a test sees exactly which
/// leases the providing node asked for.
final class MarketProvider: @unchecked Sendable {
    /// The id the cube gave the offer (`TRUE offer <id>`).
    let offerID: UInt64
    private let connection: P7Connection
    private let lock = NSLock()
    private var granted: [String] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    /// Logs in as `user` on `socketPath`, sends `offer <offer>` and starts answering.
    /// - Throws: when the login fails or the offer is not accepted within 10 s.
    init(socketPath: String, user: String = "unix-root", offer: String) throws {
        connection = try P7Connection(unixPath: socketPath, timeout: .seconds(10))
        try connection.loginUnix(user: user)
        try connection.send("(1)offer \(offer)")
        var id: UInt64?
        while id == nil {
            let line = String(decoding: try connection.readLine(), as: UTF8.self)
            if line.hasPrefix("(1)FALSE") { throw LiveTestError.timeout("offer \(offer) refused: \(line)") }
            if line.hasPrefix("(1)TRUE offer ") { id = UInt64(line.dropFirst("(1)TRUE offer ".count)) }
        }
        offerID = id ?? 0
        connection.timeout = .milliseconds(200)
        Thread { [self] in answer() }.start()
    }

    /// The `lease-request` lines granted so far (`lease-request <lease> <consumer> <amount> <ttl>`).
    var requests: [String] { lock.withLock { granted } }

    /// Grants each `(<id>)lease-request …` until ``stop()`` or the cube closes the session.
    private func answer() {
        defer { finished.signal() }
        while lock.withLock({ running }) {
            let bytes: [UInt8]
            do {
                bytes = try connection.readLine()
            } catch ClientError.timeout {
                continue
            } catch {
                return
            }
            let line = String(decoding: bytes, as: UTF8.self)
            guard line.hasPrefix("("), let close = line.firstIndex(of: ")") else { continue }
            let id = line[line.index(after: line.startIndex)..<close]
            let command = line[line.index(after: close)...]
            if command.hasPrefix("lease-request ") {
                lock.withLock { granted.append(String(command)) }
                try? connection.send("(\(id))TRUE granted")
            }
        }
    }

    /// Stops answering and closes the session (its offer ends with it).
    func stop() {
        guard lock.withLock({ () -> Bool in defer { running = false }; return running }) else { return }
        finished.wait()
        connection.close()
    }

    deinit { stop() }
}
