import ArgumentParser
import CubeZenka
import Foundation

/// `zenka storage [--dir DIR] --quota BYTES`: named blobs in a directory under a quota.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Stores named blobs under a quota.")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp(
        "The directory holding the blobs (created if missing).",
        discussion: "Default: $STATE_DIRECTORY/storage under systemd, /var/lib/protocol-7/storage for root, "
            + "else $XDG_STATE_HOME/protocol-7/storage or ~/.local/state/protocol-7/storage."))
    var dir: String?

    @Option(name: .long, help: "The most bytes all blobs together may hold.")
    var quota: Int

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = dir ?? StateDirectory.path(for: "storage", environment: environment, userID: getuid()) else {
            throw ValidationError("no --dir given and no state directory known (set HOME or STATE_DIRECTORY)")
        }
        let store = try BlobStore(directory: URL(fileURLWithPath: directory), quota: StorageQuota(limit: quota))
        let zenka = connection.makeZenka(defaultName: "storage")
        StorageCommands(store: store).install(on: zenka)
        zenka.onConnect { zenka in
            // A lost connection ended every lease of the earlier one, without notices.
            await store.unreserveAll()
            let free = await store.free
            // Offers may not exist on this cube yet: a FALSE is logged and otherwise ignored.
            if let reply = try? await zenka.send("offer", args: "storage \(free)"), reply.kind != .trueReply {
                zenka.log("offer not accepted: \(reply.textString)")
            }
        }
        try await zenka.run()
    }
}
