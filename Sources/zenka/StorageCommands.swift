import CubeZenka

/// The handlers of the `storage` zenka.
struct StorageCommands: Sendable {
    let store: BlobStore

    func install(on zenka: Zenka) {
        zenka.command("put", help: "put <name> <text>, or put+ with header 'name: <name>' and the blob as body") { call in
            try await put(call)
        }
        zenka.command("get", help: "get <name>: the blob as SIZE") { call in
            do { return .size(try await store.get(call.args)) } catch { return .false("\(error)") }
        }
        zenka.command("list", help: "list: SIZE table of names and bytes") { _ in
            .size(text: await store.listing())
        }
        zenka.command("delete", help: "delete <name>: removes a blob") { call in
            do {
                try await store.delete(call.args)
                return .true("deleted \(call.args)")
            } catch {
                return .false("\(error)")
            }
        }
        zenka.command("df", help: "df: free, used, reserved (held for leases) and quota in bytes") { _ in
            let (free, used, reserved) = (await store.free, await store.used, await store.reserved)
            return .true("free \(free) used \(used) reserved \(reserved) quota \(store.quota.limit)")
        }
        // A lease holds its bytes away from `put` until it ends (docs/resources.md).
        zenka.onLeaseRequest { request in
            guard let bytes = Int(exactly: request.amount) else { return .false("quota exceeded") }
            do {
                try await store.reserve(lease: request.lease, bytes: bytes)
                return .true("reserved \(request.amount) bytes")
            } catch {
                return .false("\(error)")
            }
        }
        zenka.onLeaseEnd { lease, _ in await store.unreserve(lease: lease) }
    }

    private func put(_ call: Call) async throws -> ZenkaReply {
        let name: String
        let bytes: [UInt8]
        if let body = call.body {
            guard let header = call.header("name") else { return .false("usage: put+ needs a header 'name: <name>'") }
            name = header
            bytes = body
        } else {
            let parts = call.args.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { return .false("usage: put <name> <text>, or put+ with header 'name: <name>'") }
            name = String(parts[0])
            bytes = Array(parts[1].utf8)
        }
        do {
            try await store.put(name, bytes)
            return .true("stored \(name) \(bytes.count) bytes")
        } catch {
            return .false("\(error)")
        }
    }
}
