import CubeTestSupport
import Foundation

/// A zenka that works like a single-threaded service: it answers its commands one after
/// another, each after `delay` seconds, with `(<tid>)TRUE <label>` (so a test sees who
/// answered). For balanced-dispatch tests with uneven workers (docs/pooling.md).
final class PacedZenka: @unchecked Sendable {
    let socket: RawSocket
    let label: String
    private let thread: Thread
    private let counter = AnswerCounter()

    init(name: String, label: String, delay: Double, cube: CubeProcess) throws {
        self.label = label
        socket = try TestZenka.login(name: name, cube: cube)
        let socket = self.socket
        let counter = self.counter
        thread = Thread {
            TestZenka.readLines(of: socket) { lines in
                for line in lines {
                    guard line.hasPrefix("("), let close = line.firstIndex(of: ")") else { continue }
                    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                    socket.send("\(line[..<close]))TRUE \(label)\n")
                    counter.add()
                }
            }
        }
        thread.start()
    }

    /// Commands answered so far.
    var answered: Int { counter.value }

    func stop() { socket.close() }
}

/// A count shared with a zenka's thread.
final class AnswerCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
