@testable import CubeCore
@testable import CubeManager
import Foundation
import Testing
@testable import cube

/// The configuration compiled into `cube` is exactly what `configuration/` holds, and it loads.
@Suite struct DefaultConfigurationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func embeddedFilesEqualTheRepositoryFiles() throws {
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: Self.root.appendingPathComponent("configuration").path)
            .map { "configuration/" + $0 }
            .filter { path in
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path, isDirectory: &isDirectory)
                return !isDirectory.boolValue && (path == "configuration/cube.conf" || path.hasPrefix("configuration/zenki/"))
            }
            .sorted()
        #expect(DefaultConfiguration.files.map(\.path).sorted() == onDisk, "run scripts/embed-configuration.py")
        for (path, text) in DefaultConfiguration.files {
            let file = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            #expect(file == text, "\(path) differs from the embedded copy: run scripts/embed-configuration.py")
        }
    }

    @Test func embeddedConfigurationLoadsWithoutWarnings() throws {
        let loaded = try ConfigurationLoader.load(path: nil, owner: "tester")
        #expect(loaded.configuration.warnings.isEmpty)
        #expect(loaded.configuration.access.allows(user: "unix-tester", command: "calc.eval".utf8))
        #expect(loaded.configuration.access.allows(user: "unix-root", command: "term-all".utf8))
        #expect(!loaded.configuration.access.allows(user: "unix-nobody", command: "term-all".utf8))
        #expect(Set(loaded.configuration.zenki.keys) == ["echo", "calc", "storage", "p7-log", "hello-sh"])
        #expect(loaded.zenkaFiles["hello-sh"]?["hello.sh"] != nil)
    }

    /// The access rule written next to each local and `v7` command is the default configuration's.
    @Test func eachCommandsDefaultAccessIsTheDefaultConfigurations() throws {
        let access = try ConfigurationLoader.load(path: nil, owner: "tester").configuration.access
        for entry in LocalCommand.all.entries {
            #expect(access.allows(user: "unix-nobody", command: entry.name.utf8) == (entry.access == .everyone), "\(entry.name)")
        }
        #expect(LocalCommand.all.repeatedNames.isEmpty && ManagerCommand.all.repeatedNames.isEmpty)
        for entry in ManagerCommand.all.entries {
            let path = "v7.\(entry.name)"
            #expect(access.allows(user: "unix-nobody", command: path.utf8) == (entry.access == .everyone), "\(path)")
        }
    }

    @Test func theRepositoryDirectoryLoadsLikeTheEmbeddedDefault() throws {
        let directory = try ConfigurationLoader.load(path: Self.root.appendingPathComponent("configuration").path, owner: "tester")
        let embedded = try ConfigurationLoader.load(path: nil, owner: "tester")
        #expect(directory.configuration.zenki == embedded.configuration.zenki)
        #expect(directory.configuration.access == embedded.configuration.access)
    }

    @Test func commandLineOverridesAreValidated() throws {
        #expect(throws: (any Error).self) { try Cube.Run.parse(["--name", "bad name!"]) }
        #expect(throws: (any Error).self) { try Cube.Run.parse(["--socket", "relative.sock"]) }
        #expect(throws: (any Error).self) { try Cube.Run.parse(["--mount", "/x", "--no-mount"]) }
        let run = try Cube.Run.parse(["--name", "n1", "--socket", "/tmp/x.sock", "--no-mount"])
        let loaded = try run.options.load()
        #expect(loaded.configuration.nodeName == "n1")
        #expect(loaded.configuration.unixSocketPath == "/tmp/x.sock")
        #expect(loaded.configuration.mountPath == nil)
    }
}
