@testable import CubeCore
import Testing

/// Which changes of a zenka's definition a reload applies to its running processes and which
/// restart them (docs/configuration.md "Reload").
@Suite struct ZenkaDefinitionTests {
    static func definition(_ entries: [(String, String)]) -> ZenkaDefinition {
        var definition = ZenkaDefinition(name: "calc")
        for (key, value) in [("program", "/bin/true"), ("dispatch", "balanced")] + entries {
            #expect(definition.apply(key: key, value: value) == nil, "\(key) = \(value)")
        }
        return definition
    }

    @Test(arguments: [("instances.max", "8"), ("instances.min", "0"), ("scale.target", "9"), ("scale.up-after", "7"),
                      ("scale.surge-after", "1"), ("scale.down-after", "90"), ("scale.cooldown", "2"), ("bursts", "0"),
                      ("queue", "5"), ("queue.bytes", "4096"), ("restart", "never"),
                      ("restart.backoff", "3"), ("restart.backoff-max", "9"), ("heartbeat", "0"),
                      ("heartbeat.timeout", "2"), ("stop-timeout", "1")])
    func poolingAndSupervisionKeysKeepTheProcesses(key: String, value: String) {
        let before = Self.definition([])
        let after = Self.definition([(key, value)])
        #expect(before != after)
        #expect(after.runsSameProcesses(as: before))
    }

    @Test(arguments: [("program", "/bin/false"), ("args", "-x"), ("mode", "stdio"), ("start", "manual"),
                      ("directory", "/tmp"), ("env.GREETING", "hello"), ("depends", "echo"), ("dispatch", "all")])
    func processKeysRestartThem(key: String, value: String) {
        let before = Self.definition([])
        let after = Self.definition([(key, value)])
        #expect(!after.runsSameProcesses(as: before))
    }
}
