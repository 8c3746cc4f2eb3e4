import ArgumentParser
import CubeZenka
import Foundation

/// `zenka storage --dir DIR --quota BYTES`: named blobs in a directory under a quota.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Stores named blobs under a quota.")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "The directory holding the blobs (created if missing).")
    var dir: String

    @Option(name: .long, help: "The most bytes all blobs together may hold.")
    var quota: Int

    func run() async throws {
        let store = try BlobStore(directory: URL(fileURLWithPath: dir), quota: StorageQuota(limit: quota))
        let zenka = connection.makeZenka(defaultName: "storage")
        StorageCommands(store: store).install(on: zenka)
        zenka.onConnect { zenka in
            let free = await store.free
            // Offers may not exist on this cube yet: a FALSE is logged and otherwise ignored.
            if let reply = try? await zenka.send("offer", args: "storage \(free)"), reply.kind != .trueReply {
                zenka.log("offer not accepted: \(reply.textString)")
            }
        }
        try await zenka.run()
    }
}
