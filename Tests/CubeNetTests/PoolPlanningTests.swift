import CubeCore
@testable import CubeNet
import CubeRuntime
import CubeTestSupport
import Foundation
import Logging
import NIOPosix
import Synchronization
import Testing

/// The timer behind `RouterAction.planPools` with a real hub and event loop (docs/pooling.md
/// "Surges"): it runs while a command waits for a balanced zenka, meets a surge within
/// `scale.surge-after`, and stops once nothing waits.
@Suite struct PoolPlanningTests {
    @Test func plansWhileACommandWaitsAndStopsOnceNoneDoes() async throws {
        let text = """
            node.name = plantest
            access.cmd.usr.* = **
            zenka.calc.program = /bin/true
            zenka.calc.dispatch = balanced
            zenka.calc.instances.max = 2
            zenka.calc.scale.target = 1
            zenka.calc.scale.up-after = 60
            zenka.calc.scale.surge-after = 0.2
            zenka.calc.scale.cooldown = 0
            """
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        let hub = Hub(configuration: configuration, hasher: PlainHasher(), seed: 7, utcOffset: 0,
                      delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "plan-test"))
        let planning = PoolPlanning(hub: hub, loop: MultiThreadedEventLoopGroup.singleton.next())
        defer { planning.stop() }
        let orders = Mutex<[ScaleOrder]>([])
        hub.update { delegates in
            delegates.scale = { order in orders.withLock { $0.append(order) } }
            delegates.planPools = { planning.start() }
        }
        let zenka = Recorder()
        let calc = hub.connectLocal(zenka, user: "calc", transport: .local("test"), kind: .zenka)
        let client = Recorder()
        let alice = hub.connectLocal(client, user: "alice", transport: .local("test"))
        #expect(!planning.isRunning)
        // One held by the instance (target 1), two waiting: a surge.
        hub.received(Array("(1)calc.job\n(2)calc.job\n(3)calc.job\n".utf8), from: alice)
        #expect(planning.isRunning, "\(client.takeAll()) | \(zenka.takeAll())")
        // Within 0.2 s of surge and the timer's steps, one more instance, long before up-after.
        // (More may follow on a slow machine: an instance asked for counts for 20 s only.)
        #expect(await Self.eventually { orders.withLock { $0.first } == .start("calc") }, "\(orders.withLock { $0 })")
        #expect(planning.isRunning)
        // Every command answered: nothing waits, and the timer stops by itself.
        var answered = 0
        while answered < 3, await Self.eventually({ !zenka.isEmpty }) {
            let ids = Self.ids(zenka.takeAll())
            for id in ids { hub.received(Array("(\(id))TRUE\n".utf8), from: calc) }
            answered += ids.count
        }
        #expect(answered == 3)
        #expect(await Self.eventually { !planning.isRunning })
        #expect(hub.inspect { $0.poolsWantPlanning } == false)
    }

    /// Polls `condition` every 20 ms for up to 3 s.
    private static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<150 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// The ids of the `(<id>)…` lines in `text`.
    private static func ids(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in line.firstMatch(of: /^\((\d+)\)/).map { String($0.1) } }
    }
}

/// Keeps what it is sent.
private final class Recorder: SessionEndpoint, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    var isEmpty: Bool { lock.withLock { bytes.isEmpty } }
    func send(_ more: [UInt8]) { lock.withLock { bytes += more } }
    func close() {}
    /// What it was sent so far, taken.
    func takeAll() -> String {
        lock.withLock {
            defer { bytes = [] }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
