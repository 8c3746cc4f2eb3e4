import CubeCore
import CubeTestSupport
import Foundation
import Testing

/// `make install` into a staging DESTDIR (README.md, "Install"): the tree, the systemd unit,
/// and the installed cube running the installed sample zenki, asked by the installed p7.
/// Installs the build under test (`make install-built BUILT=<its directory>`): no rebuild.
@Suite(.serialized) struct InstallLiveTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let systemdAnalyze = "/usr/bin/systemd-analyze"
    static let canVerify = FileManager.default.isExecutableFile(atPath: systemdAnalyze)
    static let hasGroff = FileManager.default.isExecutableFile(atPath: "/usr/bin/groff")

    /// A fresh staging directory with `make install-built` run into it.
    final class Staged {
        let destdir: URL
        let install: ExecutableRun

        /// - Parameter rooted: install with `PREFIX=<dir>/usr SYSCONFDIR=<dir>/etc` instead of
        ///   `DESTDIR=<dir>`, so the paths inside the unit exist as written.
        init(rooted: Bool = false) throws {
            destdir = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: destdir, withIntermediateDirectories: true)
            let variables = rooted ? ["PREFIX=\(destdir.path)/usr", "SYSCONFDIR=\(destdir.path)/etc"] : ["DESTDIR=\(destdir.path)"]
            install = try Staged.make("install-built", variables)
        }

        static func make(_ target: String, _ variables: [String]) throws -> ExecutableRun {
            try ExecutableRun.run("/usr/bin/make", ["-s", "-C", root.path, target, "BUILT=\(Binaries.directory.path)"] + variables)
        }

        static func make(_ target: String, destdir: URL) throws -> ExecutableRun {
            try make(target, ["DESTDIR=\(destdir.path)"])
        }

        func path(_ relative: String) -> String { destdir.appendingPathComponent(relative).path }

        deinit { try? FileManager.default.removeItem(at: destdir) }
    }

    @Test func installLaysOutTheTreeAndUninstallRemovesIt() throws {
        let staged = try Staged()
        #expect(staged.install.status == 0, "\(staged.install.stdout) \(staged.install.stderr)")
        let files = FileManager.default
        for tool in ["cube", "p7", "zenka"] {
            #expect(files.isExecutableFile(atPath: staged.path("usr/local/bin/\(tool)")), "\(tool)")
            let page = try String(contentsOfFile: staged.path("usr/local/share/man/man1/\(tool).1"), encoding: .utf8)
            #expect(page.hasPrefix(".TH \"\(tool.uppercased())\" \"1\""), "\(tool).1")
            #expect(page.contains(".SH SYNOPSIS") && page.contains(".SH SEE ALSO"), "\(tool).1")
        }
        // The pages come from the command definitions: every subcommand and option is there.
        let cubePage = try String(contentsOfFile: staged.path("usr/local/share/man/man1/cube.1"), encoding: .utf8)
        for word in ["cube run", "cube unmount", "cube keygen", "\\-\\-no\\-mount", "\\-\\-log\\-level"] {
            #expect(cubePage.contains(word), "cube.1 lacks \(word)")
        }
        let p7Page = try String(contentsOfFile: staged.path("usr/local/share/man/man1/p7.1"), encoding: .utf8)
        #expect(p7Page.contains("\\-\\-known\\-nodes") || p7Page.contains("--known-nodes"))
        for tool in ["cube", "zenka"] {
            let bash = try String(contentsOfFile: staged.path("usr/local/share/bash-completion/completions/\(tool)"), encoding: .utf8)
            #expect(bash.contains("complete") && bash.contains(tool))
            let zsh = try String(contentsOfFile: staged.path("usr/local/share/zsh/site-functions/_\(tool)"), encoding: .utf8)
            #expect(zsh.hasPrefix("#compdef \(tool)"))
            let fish = try String(contentsOfFile: staged.path("usr/local/share/fish/vendor_completions.d/\(tool).fish"), encoding: .utf8)
            #expect(fish.contains("complete -c '\(tool)'"))
        }
        // configuration/ as /etc/protocol-7/, byte for byte.
        for file in ["cube.conf", "zenki/calc/zenka.conf", "zenki/hello-sh/hello.sh", "zenki/storage/zenka.conf"] {
            let shipped = try Data(contentsOf: Self.root.appendingPathComponent("configuration/\(file)"))
            #expect(files.contents(atPath: staged.path("etc/protocol-7/\(file)")) == shipped, "\(file)")
        }
        #expect(files.isExecutableFile(atPath: staged.path("etc/protocol-7/zenki/hello-sh/hello.sh")))
        let unit = try String(contentsOfFile: staged.path("usr/local/lib/systemd/system/protocol-7.service"), encoding: .utf8)
        for line in ["ExecStart=/usr/local/bin/cube run --config /etc/protocol-7", "ExecReload=/bin/kill -HUP $MAINPID",
                     "KillSignal=SIGTERM", "Type=exec", "RuntimeDirectory=protocol-7", "StateDirectory=protocol-7"] {
            #expect(unit.split(separator: "\n").contains(Substring(line)), "unit lacks \(line)")
        }

        // An edited configuration file survives a second install and the uninstall.
        let edited = staged.path("etc/protocol-7/cube.conf")
        try "node.name = edited\n".write(toFile: edited, atomically: true, encoding: .utf8)
        let again = try Staged.make("install-built", destdir: staged.destdir)
        #expect(again.status == 0 && again.stdout.contains("kept"), "\(again.stdout) \(again.stderr)")
        #expect(try String(contentsOfFile: edited, encoding: .utf8) == "node.name = edited\n")

        let uninstall = try Staged.make("uninstall", destdir: staged.destdir)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        let left = try ExecutableRun.run("/usr/bin/find", [staged.destdir.path, "-type", "f"])
        #expect(left.stdout.split(separator: "\n") == [Substring(edited)], "left behind: \(left.stdout)")
    }

    /// groff renders every installed man page without a warning.
    @Test(.enabled(if: hasGroff, "needs /usr/bin/groff")) func theManPagesRenderWithoutWarnings() throws {
        let staged = try Staged()
        #expect(staged.install.status == 0, "\(staged.install.stderr)")
        for tool in ["cube", "p7", "zenka"] {
            let render = try ExecutableRun.run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z",
                                                                  staged.path("usr/local/share/man/man1/\(tool).1")])
            #expect(render.status == 0 && render.stderr.isEmpty, "\(tool).1: \(render.stderr)")
        }
    }

    /// `systemd-analyze verify` accepts the installed unit (skipped where systemd is absent).
    /// It checks that ExecStart's binary exists and that the Documentation= man pages are found.
    @Test(.enabled(if: canVerify, "needs systemd-analyze")) func systemdAcceptsTheUnit() throws {
        let staged = try Staged(rooted: true)
        #expect(staged.install.status == 0, "\(staged.install.stderr)")
        let unit = staged.path("usr/lib/systemd/system/protocol-7.service")
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(staged.path("usr/bin/cube")) run --config \(staged.path("etc/protocol-7"))"))
        let verify = try ExecutableRun.run(Self.systemdAnalyze, ["verify", unit],
                                           environment: ["MANPATH": staged.path("usr/share/man")])
        // verify only warns (exit 0) about unknown values: its output must be empty.
        #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.stdout) \(verify.stderr)")
    }

    /// The installed cube starts the installed zenka for its samples; the installed p7 asks them.
    @Test func theInstalledCubeRunsTheInstalledSamples() throws {
        let staged = try Staged()
        #expect(staged.install.status == 0, "\(staged.install.stderr)")
        let socket = staged.path("run/cube.sock")
        let state = staged.path("var/lib/protocol-7")
        let cube = Process()
        cube.executableURL = URL(fileURLWithPath: staged.path("usr/local/bin/cube"))
        cube.arguments = ["run", "--config", staged.path("etc/protocol-7"), "--socket", socket, "--no-mount"]
        var environment = ProcessInfo.processInfo.environment
        // As systemd's StateDirectory= would: the storage sample keeps its blobs there.
        environment["STATE_DIRECTORY"] = state
        environment.removeValue(forKey: "PROTOCOL_7_UNIX_PATH")
        cube.environment = environment
        cube.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        cube.standardError = errors
        try cube.run()
        defer { cube.stop(signal: SIGTERM, seconds: 10) }
        #expect(CubeServing.wait(socketPath: socket, process: cube) == .serving)
        let p7 = staged.path("usr/local/bin/p7")
        func ask(_ words: [String]) throws -> ExecutableRun {
            try ExecutableRun.run(p7, words, environment: ["PROTOCOL_7_UNIX_PATH": socket])
        }
        // calc starts with the cube (start = always); give it a few seconds to log in.
        var answer = try ask(["calc.eval", "2+3"])
        let deadline = Date().addingTimeInterval(15)
        while answer.stdout != "5\n" && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            answer = try ask(["calc.eval", "2+3"])
        }
        #expect(answer.status == 0 && answer.stdout == "5\n", "\(answer.stdout) \(answer.stderr)")
        // echo starts with the cube too, but may log in after calc on a loaded machine.
        var echoed = try ask(["echo.echo", "hi"])
        while echoed.stdout != "hi\n" && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            echoed = try ask(["echo.echo", "hi"])
        }
        #expect(echoed.stdout == "hi\n", "\(echoed.stdout) \(echoed.stderr)")
        // storage is on demand: the first command starts it; its blobs go to the state directory.
        let df = try ask(["storage.df"])
        #expect(df.status == 0 && df.stdout.hasPrefix("free "), "\(df.stdout) \(df.stderr)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: state + "/storage", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try ask(["version"]).stdout == "\(SoftwareVersion.number)\n")
        #expect(cube.stop(signal: SIGTERM, seconds: 10) == 0)
    }
}
