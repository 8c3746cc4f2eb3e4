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
        let files = try path.map(readFiles) ?? DefaultConfiguration.files.map { ($0.path, Array($0.text.utf8)) }
        var entries: [ConfigEntry] = []
        var zenkaFiles: [String: [String: [UInt8]]] = [:]
        for (name, bytes) in files {
            let parts = name.split(separator: "/").map(String.init)
            if let index = parts.lastIndex(of: "zenki"), parts.count == index + 3 {
                let zenka = parts[index + 1]
                zenkaFiles[zenka, default: [:]][parts[index + 2]] = bytes
                guard parts[index + 2] == "zenka.conf" else { continue }
                let parsed = try ConfigFile.parse(String(decoding: bytes, as: UTF8.self), file: name)
                entries += parsed.map { entry in
                    var prefixed = entry
                    prefixed.key = "zenka.\(zenka).\(entry.key)"
                    return prefixed
                }
            } else if name.hasSuffix(".conf") || name == path {
                // A file named on the command line is read whatever its name; in a directory
                // only `*.conf` files are.
                entries += try ConfigFile.parse(String(decoding: bytes, as: UTF8.self), file: name)
            }
        }
        var configuration = try CubeConfiguration.load(entries, owner: owner)
        // `node.compute.slots` defaults to one slot per core (docs/pooling.md "Bursts").
        configuration.compute.cores = ProcessInfo.processInfo.activeProcessorCount
        return LoadedConfiguration(configuration: configuration, source: path ?? embeddedName, zenkaFiles: zenkaFiles)
    }

    /// Reads a configuration file, or a directory's `*.conf` files and `zenki/*/*` files.
    private static func readFiles(_ path: String) throws -> [(String, [UInt8])] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, line: 0, message: "no such file or directory")
        }
        var names: [String] = []
        if isDirectory.boolValue {
            names = try manager.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".conf") }.sorted()
                .map { path + "/" + $0 }
            let zenki = path + "/zenki"
            for zenka in (try? manager.contentsOfDirectory(atPath: zenki))?.sorted() ?? [] {
                let files = (try? manager.contentsOfDirectory(atPath: zenki + "/" + zenka))?.sorted() ?? []
                names += files.map { "\(zenki)/\(zenka)/\($0)" }
            }
            guard !names.isEmpty else { throw ConfigError(file: path, line: 0, message: "no *.conf files in directory") }
        } else {
            names = [path]
        }
        return try names.map { name in
            guard let data = manager.contents(atPath: name) else {
                throw ConfigError(file: name, line: 0, message: "cannot read file")
            }
            return (name, Array(data))
        }
    }
}
