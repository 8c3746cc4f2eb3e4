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

    @Option(name: .long, help: ArgumentHelp(
        "key=value attributes of the storage offer, e.g. 'price=2 tier=ssd'.",
        discussion: "price=<credits per byte per hour> makes the offer priced (docs/market.md)."))
    var attributes: String = ""

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
            let offer = (["storage", String(free)] + attributes.split(separator: " ").map(String.init)).joined(separator: " ")
            guard let reply = try? await zenka.send("offer", args: offer), reply.keyword == .trueReply else {
                zenka.log("offer not accepted")
                return
            }
            // A cube that kept our offer through its restart (docs/market.md "Storage") hands it
            // back with its leases: hold their bytes again.
            let offerID = reply.textString.split(separator: " ").last.map(String.init) ?? ""
            guard let leases = try? await zenka.send("leases"), leases.keyword == .size, let body = leases.body else { return }
            for row in String(decoding: body, as: UTF8.self).split(separator: "\n").dropFirst(2) {
                let columns = row.split(separator: " ")
                guard columns.count >= 4, String(columns[1]) == offerID, let lease = UInt64(columns[0]),
                      let bytes = Int(columns[3]) else { continue }
                try? await store.reserve(lease: lease, bytes: bytes)
            }
        }
        try await zenka.run()
    }
}
