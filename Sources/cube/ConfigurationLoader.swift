import CubeCore
import Foundation

/// A configuration and the files that came with it.
struct LoadedConfiguration {
    var configuration: CubeConfiguration
    /// Where it came from, for the start-up log line.
    var source: String
    /// Files of each zenka's directory (`zenki/<name>/…`) by name, then by file name; the
    /// manager copies them into the zenka's working directory.
    var zenkaFiles: [String: [String: [UInt8]]]
}

/// Finds, reads and interprets the cube's configuration.
///
/// A configuration is `cube.conf`-style files plus, per zenka, a directory `zenki/<name>/`
/// whose `zenka.conf` holds keys relative to `zenka.<name>.` and whose other files (scripts)
/// travel with it.
enum ConfigurationLoader {
    /// The name of the embedded default, as shown in messages.
    static let embeddedName = "embedded default configuration"

    /// Loads `path` (a file, or a directory with `*.conf` files and `zenki/<name>/`), or the
    /// embedded default when nil.
    /// - Throws: ``ConfigError`` naming file and line, or an unreadable path.
    static func load(path: String?, owner: String) throws -> LoadedConfiguration {
        let files = try path.map(readFiles)
            ?? DefaultConfiguration.files.map { file in
                // Embedded as `configuration/cube.conf`, `configuration/zenki/<name>/…`.
                let relative = file.path.hasPrefix("configuration/") ? String(file.path.dropFirst("configuration/".count)) : file.path
                return ConfigurationFile(name: file.path, relative: relative, bytes: Array(file.text.utf8))
            }
        var entries: [ConfigEntry] = []
        var zenkaFiles: [String: [String: [UInt8]]] = [:]
        for file in files {
            // Only `zenki/<name>/<file>` under the configuration's own top: a directory called
            // `zenki` higher up the path (`/etc/zenki/prod/cube.conf`) made the whole
            // configuration a zenka's files before, and the cube ran on built-in defaults.
            let parts = file.relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3, parts[0] == "zenki" {
                let zenka = parts[1]
                guard Names.isUserName(zenka.utf8) else {
                    throw ConfigError(file: file.name, line: 0, message:
                        "invalid zenka name '\(zenka)': a zenka's directory is named like a user (letters, digits, '-', '_', at most 17)")
                }
                zenkaFiles[zenka, default: [:]][parts[2]] = file.bytes
                guard parts[2] == "zenka.conf" else { continue }
                let parsed = try ConfigFile.parse(String(decoding: file.bytes, as: UTF8.self), file: file.name)
                entries += parsed.map { entry in
                    var prefixed = entry
                    prefixed.key = "zenka.\(zenka).\(entry.key)"
                    return prefixed
                }
            } else if file.name.hasSuffix(".conf") || file.name == path {
                // A file named on the command line is read whatever its name; in a directory
                // only `*.conf` files are.
                entries += try ConfigFile.parse(String(decoding: file.bytes, as: UTF8.self), file: file.name)
            }
        }
        var configuration = try CubeConfiguration.load(entries, owner: owner)
        // `node.compute.slots` defaults to one slot per core (docs/pooling.md "Bursts").
        configuration.compute.cores = ProcessInfo.processInfo.activeProcessorCount
        return LoadedConfiguration(configuration: configuration, source: path ?? embeddedName, zenkaFiles: zenkaFiles)
    }

    /// Reads a configuration file, or a directory's `*.conf` files and `zenki/*/*` files.
    private static func readFiles(_ path: String) throws -> [ConfigurationFile] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, line: 0, message: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            guard let data = manager.contents(atPath: path) else { throw ConfigError(file: path, line: 0, message: "cannot read file") }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return [ConfigurationFile(name: path, relative: name, bytes: Array(data))]
        }
        var relatives = try manager.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".conf") }.sorted()
        for zenka in (try? manager.contentsOfDirectory(atPath: path + "/zenki"))?.sorted() ?? [] {
            let files = (try? manager.contentsOfDirectory(atPath: "\(path)/zenki/\(zenka)"))?.sorted() ?? []
            relatives += files.map { "zenki/\(zenka)/\($0)" }
        }
        guard !relatives.isEmpty else { throw ConfigError(file: path, line: 0, message: "no *.conf files in directory") }
        return try relatives.compactMap { relative in
            let name = path + "/" + relative
            var isSubdirectory: ObjCBool = false
            if manager.fileExists(atPath: name, isDirectory: &isSubdirectory), isSubdirectory.boolValue {
                // A `*.conf` directory at the top is no file to read; one inside a zenka's
                // directory would not be copied with it (only its files travel, zenki.md).
                guard relative.hasPrefix("zenki/") else { return nil }
                throw ConfigError(file: name, line: 0, message:
                    "a directory: a zenka's directory holds files only (they are copied into its working directory, subdirectories are not)")
            }
            guard let data = manager.contents(atPath: name) else { throw ConfigError(file: name, line: 0, message: "cannot read file") }
            return ConfigurationFile(name: name, relative: relative, bytes: Array(data))
        }
    }
}
