import CubeCore
import CubeRuntime
import Foundation
import Logging

/// The revocation list on disk (`auth.c25519.revocations`, by default `<socket directory>/revocations`):
/// one entry per line (``Revocation``), rewritten whole and atomically on every change, read
/// once at start so that revocations survive restarts (docs/security.md, "Revocation").
struct RevocationFile: Sendable {
    let path: String

    /// The configured path, else `revocations` next to the unix socket.
    init(configuration: CubeConfiguration) {
        if let path = configuration.revocationsPath {
            self.path = path
        } else {
            let socket = configuration.unixSocketPath
            let directory = socket.lastIndex(of: "/").map { String(socket[..<$0]) } ?? "."
            self.path = (directory.isEmpty ? "" : directory) + "/revocations"
        }
    }

    /// The entries in the file; none when it does not exist.
    /// - Throws: ``ConfigError`` naming the line of a malformed or wrongly signed entry: a
    ///   damaged file must not silently let revoked keys in again.
    func load() throws -> [Revocation] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        switch RevocationList.parse(String(decoding: data, as: UTF8.self)) {
        case .failure(let error):
            throw ConfigError(file: path, line: error.line, message: "not a revocation entry")
        case .success(let entries):
            let verifier = Ed25519AdvertVerifier()
            if let bad = entries.firstIndex(where: { !$0.verify(with: verifier) }) {
                throw ConfigError(file: path, line: 0, message: "entry \(bad + 1): signature does not verify")
            }
            return entries
        }
    }

    /// Replaces the file with `text` (write to a temporary file, then rename).
    func save(_ text: String, logger: Logger) {
        do {
            try Data(("# protocol-7 revocations: <target> <issued> <signer> <signature>\n" + text).utf8)
                .write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.error("cannot write the revocation list", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
