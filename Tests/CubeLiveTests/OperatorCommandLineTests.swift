import CubeCore
import CubeTestSupport
import Foundation
import Testing

/// What an operator meets on the command line (issue 17): versions, `cube unmount` on a
/// wrong path, the hint for an unparsable command, a mount that cannot be set up.
@Suite struct OperatorCommandLineTests {
    @Test(arguments: ["cube", "p7", "zenka"])
    func everyToolPrintsItsVersion(_ tool: String) throws {
        let binary = Binaries.directory.appendingPathComponent(tool).path
        let run = try ExecutableRun.run(binary, ["--version"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "\(tool) \(SoftwareVersion.number)\n")
        #expect(SoftwareVersion.number.split(separator: ".").count == 3)
    }

    @Test func theVersionCommandAnswersTheSoftwareVersion() throws {
        let cube = try CubeProcess(extraConfiguration: "access.cmd.usr.* = version")
        defer { cube.stop() }
        let run = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "version"])
        #expect(run.status == 0 && run.stdout == "\(SoftwareVersion.number)\n", "\(run.stdout) \(run.stderr)")
    }

    @Test func theStartupLineNamesTheVersion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("startline-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.cube)
        let socket = directory.appendingPathComponent("cube.sock").path
        process.arguments = ["run", "--socket", socket, "--no-mount", "--name", "startline"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { _ = process.stop(signal: SIGTERM, seconds: 5) }
        let line = output.fileHandleForReading.readLine()
        #expect(line == "cube 'startline' serving on \(socket) (version \(SoftwareVersion.number))")
    }

    @Test func unmountFailsWhenThereIsNothingToUnmount() throws {
        let missing = try ExecutableRun.run(Binaries.cube, ["unmount", "/nonexistent-\(UUID().uuidString.prefix(8))"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such directory /nonexistent-"), "\(missing.stderr)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unmount-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = try ExecutableRun.run(Binaries.cube, ["unmount", directory.path])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("nothing mounted at \(directory.path)"), "\(empty.stderr)")
    }

    @Test func p7ExplainsAProtocolMismatch() throws {
        let cube = try CubeProcess()
        defer { cube.stop() }
        // The cube answers as the original does (docs/protocol.md §4.2); p7 adds why.
        let capital = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "Heart"])
        #expect(capital.status == 1)
        #expect(capital.stdout == "protocol mismatch\n")
        #expect(capital.stderr.contains("command names start with a lower-case letter (did you mean 'heart'?)"),
                "\(capital.stderr)")
        let dotted = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "calc.Eval"])
        #expect(dotted.stderr.contains("did you mean 'calc.eval'?"), "\(dotted.stderr)")
        let other = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "a.b.c.d"])
        #expect(other.stdout == "protocol mismatch\n")
        #expect(other.stderr.contains("a command path is [target.]...command"), "\(other.stderr)")
        let fine = try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "nosuchcommand"])
        #expect(fine.status == 1 && fine.stderr.isEmpty, "\(fine.stderr)")
    }

    @Test func aMountThatCannotBeSetUpSuggestsNoMount() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nomount-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A regular file as the mount point fails for root as well as for anyone without FUSE.
        let file = directory.appendingPathComponent("not-a-directory")
        try Data().write(to: file)
        let run = try ExecutableRun.run(Binaries.cube, ["run", "--socket", directory.appendingPathComponent("cube.sock").path,
                                                        "--mount", file.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("to serve without the mount, run `cube run --no-mount`"), "\(run.stderr)")
    }
}

private extension FileHandle {
    /// One line (without its LF), read byte by byte so nothing after it is consumed.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let data = readData(ofLength: 1)
            guard let byte = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

/// A zenka whose program cannot be started is named in the manager's log (issue 17: an
/// installed cube without its zenka logged only `No such file or directory`).
@Suite struct ManagerStartFailureLiveTests {
    @Test func theLogNamesTheProgramThatCannotStart() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "ghost", conf: """
                program = /nonexistent/ghost-zenka
                restart = never
                """),
        ])
        let deadline = Date().addingTimeInterval(10)
        while !cube.log.contains("cannot start /nonexistent/ghost-zenka: No such file or directory") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(cube.log.contains("cannot start /nonexistent/ghost-zenka: No such file or directory"), "\(cube.log)")
        #expect(cube.stop() == 0)
    }
}

/// `cube default-config`: the embedded configuration, printed or written out (issue 17).
@Suite struct DefaultConfigCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func printsTheEmbeddedCubeConf() throws {
        let run = try ExecutableRun.run(Binaries.cube, ["default-config"])
        #expect(run.status == 0, "\(run.stderr)")
        let shipped = try String(contentsOf: Self.root.appendingPathComponent("configuration/cube.conf"), encoding: .utf8)
        #expect(run.stdout == shipped)
    }

    @Test func writesTheWholeConfigurationAndNeverOverwrites() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("defconf-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("conf").path
        let run = try ExecutableRun.run(Binaries.cube, ["default-config", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        for file in ["cube.conf", "zenki/calc/zenka.conf", "zenki/hello-sh/hello.sh", "zenki/storage/zenka.conf"] {
            let shipped = try Data(contentsOf: Self.root.appendingPathComponent("configuration/\(file)"))
            #expect(FileManager.default.contents(atPath: out + "/" + file) == shipped, "\(file)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: out + "/zenki/hello-sh/hello.sh"))
        // What it wrote is a configuration cube accepts.
        let check = try ExecutableRun.run(Binaries.cube, ["check-config", "--config", out])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let again = try ExecutableRun.run(Binaries.cube, ["default-config", "--out", out])
        #expect(again.status == 1 && again.stderr.contains("exists; not overwriting it"), "\(again.stderr)")
    }
}
