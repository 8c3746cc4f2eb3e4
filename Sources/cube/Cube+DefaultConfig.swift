import ArgumentParser
import Foundation

extension Cube {
    /// Prints or writes out the configuration compiled into `cube` (docs/configuration.md),
    /// the starting point for a configuration of one's own.
    struct DefaultConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "default-config",
            abstract: "Print the embedded default cube.conf, or write the whole default configuration to a directory.",
            discussion: "With --out DIR, writes DIR/cube.conf and DIR/zenki/<name>/... (what `cube run` uses "
                + "without --config; pass DIR to --config). Refuses to overwrite an existing file.")

        @Option(name: .long, help: "Write every file of the default configuration under this directory.")
        var out: String?

        func run() throws {
            guard let out else {
                let cubeConf = DefaultConfiguration.files.first { $0.path == "configuration/cube.conf" }
                print(cubeConf?.text ?? "", terminator: "")
                return
            }
            let files = FileManager.default
            // Checked before anything is written, so a refusal leaves nothing half written.
            let targets = DefaultConfiguration.files.map { (out + "/" + $0.path.dropFirst("configuration/".count), $0.text) }
            if let existing = targets.first(where: { files.fileExists(atPath: $0.0) }) {
                throw DefaultConfigFailure(description: "\(existing.0) exists; not overwriting it")
            }
            for (path, text) in targets {
                try files.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // Scripts (`#!`) stay executable, as the manager makes them (docs/zenki.md).
                let mode = text.hasPrefix("#!") ? 0o755 : 0o644
                guard files.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
                    throw DefaultConfigFailure(description: "cannot write \(path)")
                }
            }
            print("wrote \(targets.count) files under \(out)")
        }
    }

    /// Why `cube default-config --out` wrote nothing; ArgumentParser prints it, exit status 1.
    struct DefaultConfigFailure: Error, CustomStringConvertible {
        let description: String
    }
}
