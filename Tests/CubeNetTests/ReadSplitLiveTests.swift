@testable import CubeNet
import CubeCore
import CubeRuntime
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A large read is routed in two halves with the first half's output flushed in between
/// (``ReadSplit``, ``PendingFlushes``; docs/performance.md "Breaking the depth-64 lockstep"),
/// seen from real sockets: a requester and a zenka, each a socket pair whose cube end is a NIO
/// channel with a ``ConnectionHandler`` on one event loop, as the unix listener sets them up.
///
/// The zenka answers with stray replies (ids no route has) among the real ones: the router
/// reports each as an event while it routes it, and the test's observer then looks (MSG_PEEK,
/// without waiting) at what the requester's socket holds at that moment.
@Suite(.serialized) struct ReadSplitLiveTests {
    /// Replies of the real requests, each line this long, so the cut falls between two of them.
    static let lineLength = 48

    /// 40 replies and two strays, 42 lines of 48 bytes in one write: the stray routed first sees the
    /// requester's socket empty, the stray routed last (second half) sees exactly the replies
    /// of the first half there, before the second half was flushed; then all 40 arrive in order.
    @Test func theFirstHalfOfALargeReadLeavesBeforeTheSecondIsRouted() throws {
        let seen = try exchange(requests: 40)
        #expect(seen.atFirstStray == "", "nothing leaves while the first half is routed")
        #expect(seen.atLastStray == seen.expected(upTo: 20), "the first half's 20 replies left before the second half was routed")
        #expect(seen.received == seen.expected(upTo: 40), "every reply, in order")
    }

    /// A read below ``ReadSplit/minimum`` is routed whole and flushed once at the end of the
    /// loop's turn: the requester's socket holds nothing while its last line is routed.
    @Test func aShortReadIsFlushedOnceAtTheEndOfTheTurn() throws {
        let seen = try exchange(requests: 12)
        #expect(seen.atFirstStray == "")
        #expect(seen.atLastStray == "", "nothing left before the turn ended")
        #expect(seen.received == seen.expected(upTo: 12), "every reply, in order")
    }

    /// What the requester's socket held when each stray was routed, and what it read in the end
    /// (ASCII, so compared byte for byte as text).
    struct Seen {
        var atFirstStray: String
        var atLastStray: String
        var received: String
        /// The requester's view of the replies to its requests 1...count.
        func expected(upTo count: Int) -> String {
            (1...count).map { "(\($0))" + ReadSplitLiveTests.answer($0) }.joined()
        }
    }

    /// What follows the id in the answer to request `number`, padded so that the zenka's
    /// line (a 6-digit target id in parentheses first) is ``lineLength`` bytes.
    static func answer(_ number: Int) -> String {
        padded("TRUE answer-\(number) ", to: lineLength - 8)
    }

    /// `text` filled up with `x` to `width` bytes, the last of them an LF.
    static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: "x", count: width - 1 - text.utf8.count) + "\n"
    }

    /// Logs in a requester and a zenka, sends `requests` requests, and answers them from the
    /// zenka in one write framed by two strays.
    private func exchange(requests: Int) throws -> Seen {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let text = "node.name = splittest\naccess.cmd.usr.unix-root = **\n"
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        let logger = Logger(label: "split-test")
        let hub = Hub(configuration: configuration, hasher: PlainHasher(), seed: 7, utcOffset: 0,
                      delegates: .init(verifyPassword: { _, _ in false }), logger: logger)
        let flushes = PendingFlushes(loop: loop)
        func attach() throws -> CInt {
            var pair: [CInt] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { throw Failure("socketpair: errno \(errno)") }
            _ = try ClientBootstrap(group: loop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ConnectionHandler(hub: hub, transport: .unix, logger: logger, flushes: flushes))
                    }
                }
                .withConnectedSocket(pair[0]).wait()
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return pair[1]
        }
        let requester = try attach()
        defer { close(requester) }
        let zenka = try attach()
        defer { close(zenka) }
        hub.registerZenkaKey(name: "bench", key: "one-time-key")
        let welcome = "TRUE continue\nAUTH_TRUE =)\n"
        try write(requester, "select unix\nauth unix-root\n")
        #expect(try readUntil(requester, suffix: welcome).count == 32 + welcome.utf8.count)
        try write(zenka, "select zenka\nbench one-time-key\n")
        #expect(try readUntil(zenka, suffix: welcome).count == 32 + welcome.utf8.count)

        let peeks = Mutex<[UInt64: [UInt8]]>([:])
        hub.update { delegates in
            delegates.observers["split-test"] = { event in
                guard case .droppedReply(_, let id) = event else { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = recv(requester, &buffer, buffer.count, Int32(MSG_PEEK | MSG_DONTWAIT))
                peeks.withLock { $0[id] = Array(buffer.prefix(max(0, count))) }
            }
        }
        try write(requester, (1...requests).map { "(\($0))bench.echo answer-\($0)\n" }.joined())
        var asked = try readUntil(zenka, lines: requests)
        // `(<target id>)echo answer-<n>`: the zenka answers each under its target id.
        var answers: [String] = []
        while let newline = asked.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: asked[..<newline], as: UTF8.self)
            asked.removeSubrange(...newline)
            guard let close = line.firstIndex(of: ")"), let number = Int(line[line.index(after: close)...].split(separator: "-").last ?? "")
            else { throw Failure("unexpected request \(line)") }
            answers.append(String(line[...close]) + Self.answer(number))
        }
        let strays = (first: Self.padded("(1)TRUE stray", to: Self.lineLength), last: Self.padded("(2)TRUE stray", to: Self.lineLength))
        try write(zenka, strays.first + answers.joined() + strays.last)
        // The requester's socket is read only once the last stray was routed: read earlier,
        // it would race the observer's look at the socket.
        let deadline = ContinuousClock.now + .seconds(5)
        while peeks.withLock({ $0[2] == nil }) && ContinuousClock.now < deadline { usleep(1_000) }
        let received = try readUntil(requester, lines: requests)
        let seen = peeks.withLock { $0 }
        func decoded(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "(not routed)" }
        return Seen(atFirstStray: decoded(seen[1]), atLastStray: decoded(seen[2]), received: decoded(received))
    }

    private struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func write(_ fd: CInt, _ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure("write: errno \(errno)") }
            offset += written
        }
    }

    /// Reads until the bytes end with `suffix` (the login's answer).
    private func readUntil(_ fd: CInt, suffix: String) throws -> [UInt8] {
        try readUntil(fd) { $0.count >= suffix.utf8.count && $0.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }
    }

    /// Reads until `lines` LFs arrived.
    private func readUntil(_ fd: CInt, lines: Int) throws -> [UInt8] {
        try readUntil(fd) { bytes in bytes.count { $0 == UInt8(ascii: "\n") } >= lines }
    }

    private func readUntil(_ fd: CInt, done: ([UInt8]) -> Bool) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !done(bytes) {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { throw Failure("read: \(count), errno \(errno), after \(String(decoding: bytes, as: UTF8.self))") }
            bytes += buffer.prefix(count)
        }
        return bytes
    }
}

/// Keys are their own digest.
struct PlainHasher: KeyHasher {
    func digest(_ key: [UInt8]) -> [UInt8] { key }
}
