import CubeCore
import CubeManager
import CubeRuntime
import Foundation
import Logging
import Testing

/// The order of a reload's two halves (`Manager.reconfigure(files:applying:)`): the router
/// takes the new configuration inside the manager's turn, so an order it gives under the new
/// figures is carried out under them too. Before, the router was reconfigured first and the
/// manager after; a surge start up to a raised `instances.max` that fell between the two was
/// declined by the old maximum.
@Suite struct ManagerReloadOrderTests {
    /// Keys are their own digest.
    struct PlainHasher: KeyHasher {
        func digest(_ key: [UInt8]) -> [UInt8] { key }
    }

    static func configuration(maximum: Int) throws -> CubeConfiguration {
        let text = """
            node.name = ordertest
            access.cmd.usr.* = **
            zenka.work.program = /bin/sh
            zenka.work.args = work.sh
            zenka.work.mode = stdio
            zenka.work.dispatch = balanced
            zenka.work.instances.min = 1
            zenka.work.instances.max = \(maximum)
            zenka.work.stop-timeout = 1
            """
        return try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
    }

    @Test func aStartOrderedUnderARaisedMaximumIsCarriedOut() throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("order-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let script = Array("#!/bin/sh\nwhile IFS= read -r line; do :; done\n".utf8)
        let files = ["work": ["work.sh": script]]
        let one = try Self.configuration(maximum: 1)
        let hub = Hub(configuration: one, hasher: PlainHasher(), seed: 7, utcOffset: 0,
                      delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "order-test"))
        let manager = Manager(hub: hub, definitions: one.zenki, files: files, runtimeDirectory: runtime,
                              logger: Logger(label: "order-test"))
        manager.start()
        defer { manager.stopAll() }
        let sessions = { hub.inspect { $0.sessions(of: "work").count } }
        #expect(waitUntil { sessions() == 1 })

        let two = try Self.configuration(maximum: 2)
        let lines = manager.reconfigure(files: files) {
            let running = hub.reconfigure(two)
            // What the router's planner would order the moment it has the new maximum.
            hub.update { $0.scale?(.start("work")) }
            return running.zenki
        }
        #expect(lines == ["zenka work changed, applied live"])
        #expect(waitUntil { sessions() == 2 }, "the start was declined: \(sessions()) instance(s)")
    }

    private func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
