import CubeCore
import CubeRuntime
import Foundation
import Logging

/// The revocation list on disk (`auth.c25519.revocations`; by default `revocations` under
/// `state.directory`, else next to the unix socket): one entry per line (``Revocation``),
/// rewritten whole and atomically on every change, read once at start so that revocations
/// survive restarts (docs/security.md, "Revocation").
struct RevocationFile: Sendable {
    let path: String
    /// Where the list was kept by default before it moved under `state.directory`: read when
    /// `path` does not exist yet, so an upgraded node keeps what it had revoked.
    let legacyPath: String?

    /// The configured path; else `revocations` in `state.directory`; else `revocations` next
    /// to the unix socket. The socket's directory was the only default before, and under the
    /// shipped systemd unit it is `RuntimeDirectory`, which systemd empties at every stop:
    /// revoked keys could log in again after a restart (a hostile operator's finding).
    init(configuration: CubeConfiguration) {
        let socket = configuration.unixSocketPath
        let socketDirectory = socket.lastIndex(of: "/").map { String(socket[..<$0]) } ?? "."
        let besideSocket = socketDirectory + "/revocations"
        if let path = configuration.revocationsPath {
            self.path = path
            legacyPath = nil
        } else if let stateDirectory = configuration.stateDirectory {
            path = stateDirectory + "/revocations"
            legacyPath = besideSocket
        } else {
            path = besideSocket
            legacyPath = nil
        }
    }

    /// The entries in the file; none when it does not exist.
    /// - Throws: ``ConfigError`` naming the line of a malformed or wrongly signed entry: a
    ///   damaged file must not silently let revoked keys in again.
    func load() throws -> [Revocation] {
        let source = FileManager.default.fileExists(atPath: path) ? path : legacyPath ?? path
        guard let data = FileManager.default.contents(atPath: source) else { return [] }
        switch RevocationList.parse(String(decoding: data, as: UTF8.self)) {
        case .failure(let error):
            throw ConfigError(file: source, line: error.line, message: "not a revocation entry")
        case .success(let entries):
            let verifier = Ed25519AdvertVerifier()
            if let bad = entries.firstIndex(where: { !$0.verify(with: verifier) }) {
                throw ConfigError(file: source, line: 0, message: "entry \(bad + 1): signature does not verify")
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
