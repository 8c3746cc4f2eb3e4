import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Resource offers and leases through a real cube, with a provider zenka run by the manager.
@Suite(.serialized) struct OffersLiveTests {
    /// A cube running the python provider (`offer storage 100 price=0`); returns it with the
    /// offer id once offered.
    static func providerCube() throws -> (ManagerCube, UInt64) {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "provider", conf: """
                program = \(ManagerScripts.python)
                args = -u provider.py
                restart = never
                """, files: ["provider.py": ManagerScripts.provider]),
        ])
        let path = cube.zenkaDirectory("provider") + "/offer.id"
        let offer = try #require(ManagerProcesses.pid(in: path, timeout: 8).map { UInt64($0) })
        return (cube, offer)
    }

    /// Sends `command` from every client at the same moment; returns each client's reply.
    static func race(_ clients: [ManagerClient], _ command: String) -> [ManagerClient.Message?] {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var replies: [Int: ManagerClient.Message?] = [:]
            let gate = DispatchSemaphore(value: 0)
            let ready = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
        }
        let box = Box()
        for (index, client) in clients.enumerated() {
            box.done.enter()
            Thread {
                box.ready.signal()
                box.gate.wait()
                client.send("(77)\(command)\n")
                let reply = client.reply(id: 77, timeout: 5)
                box.lock.lock()
                box.replies[index] = reply
                box.lock.unlock()
                box.done.leave()
            }.start()
        }
        for _ in clients { box.ready.wait() }
        for _ in clients { box.gate.signal() }
        box.done.wait()
        return clients.indices.map { box.replies[$0] ?? nil }
    }

    @Test func twoConsumersRaceAndExactlyOneWins() throws {
        let (cube, offer) = try Self.providerCube()
        let root = try cube.client("unix-root")
        let taeki = try cube.client("taeki")
        let listed = try #require(root.call("offers storage"))
        #expect(listed.rows.map { Array($0.prefix(5)) } == [["\(offer)", "storage", "provider", "100", "100"]])
        #expect(listed.rows.first?.last == "price=0")

        let replies = Self.race([root, taeki], "acquire \(offer) 60 60")
        let winners = replies.indices.filter { replies[$0]?.isTrue == true }
        let losers = replies.indices.filter { replies[$0]?.keyword == "FALSE" }
        #expect(winners.count == 1 && losers.count == 1, "\(replies)")
        let winner = try #require(winners.first)
        let loser = try #require(losers.first)
        let granted = try #require(replies[winner])
        #expect(replies[loser]?.line == "FALSE insufficient capacity [ 40 available ]")
        let words = granted.text.split(separator: " ").map(String.init)
        #expect(words.count == 8 && words[0] == "lease" && Array(words[2...]) == ["offer", "\(offer)", "amount", "60", "ttl", "60"],
                "\(granted)")
        let lease = try #require(words.count > 1 ? UInt64(words[1]) : nil)
        // The provider was asked once, for the winner.
        let requests = cube.zenkaDirectory("provider") + "/requests.txt"
        let winnerName = winner == 0 ? "unix-root" : "taeki"
        #expect((try? String(contentsOfFile: requests, encoding: .utf8)) == "lease-request \(lease) \(winnerName) 60 60\n")
        #expect(root.call("offers")?.rows.first?[4] == "40")

        // The loser takes exactly what is left; nothing more can be had.
        let clients = [root, taeki]
        let second = clients[loser].call("acquire \(offer) 40")
        #expect(second?.isTrue == true, "\(String(describing: second))")
        let secondLease = try #require(second.flatMap { UInt64($0.text.split(separator: " ")[1]) })
        #expect(clients[winner].call("acquire \(offer) 1")?.line == "FALSE insufficient capacity [ 0 available ]")
        #expect(root.call("offers")?.rows.first?[4] == "0")
        #expect(clients[winner].call("leases")?.rows.map { $0[0] } == ["\(lease)"])

        // The provider dies: both leases end with a notice, the offer is gone.
        let provider = try #require(root.instance(of: "provider"))
        kill(provider.pid, SIGKILL)
        #expect(clients[winner].notice("lease-end \(lease) ")?.line == "lease-end \(lease) offer-provider-gone")
        #expect(clients[loser].notice("lease-end \(secondLease) ")?.line == "lease-end \(secondLease) offer-provider-gone")
        #expect(root.call("offers")?.rows.isEmpty == true)
        #expect(root.call("leases")?.rows.isEmpty == true)
        #expect(taeki.call("acquire \(offer) 1")?.line == "FALSE no such offer '\(offer)'")
        #expect(taeki.call("release \(lease)")?.line == "FALSE no such lease '\(lease)'")
    }

    @Test func manyConsumersRacingNeverOverCommit() throws {
        let (cube, offer) = try Self.providerCube()
        let clients = try (0..<8).map { index in try cube.client(index.isMultiple(of: 2) ? "unix-root" : "taeki") }
        let replies = Self.race(clients, "acquire \(offer) 30 60")
        let granted = replies.filter { $0?.isTrue == true }
        let refused = replies.filter { $0?.keyword == "FALSE" }
        #expect(granted.count == 3, "\(replies)")
        #expect(refused.count == 5)
        #expect(refused.allSatisfy { $0?.line == "FALSE insufficient capacity [ 10 available ]" }, "\(refused)")
        let leaseIDs = Set(granted.compactMap { $0.map { String($0.text.split(separator: " ")[1]) } })
        #expect(leaseIDs.count == 3)
        #expect(clients[0].call("offers")?.rows.first?[4] == "10")
        let requests = (try? String(contentsOfFile: cube.zenkaDirectory("provider") + "/requests.txt", encoding: .utf8)) ?? ""
        #expect(requests.split(separator: "\n").count == 3)
    }

    @Test func releaseReturnsCapacityAndTellsTheProvider() throws {
        let (cube, offer) = try Self.providerCube()
        let taeki = try cube.client("taeki")
        let granted = try #require(taeki.call("acquire \(offer) 70 60"))
        #expect(granted.isTrue)
        let lease = try #require(UInt64(granted.text.split(separator: " ")[1]))
        #expect(taeki.call("renew \(lease) 120")?.line == "TRUE lease \(lease) renewed [ ttl 120 s ]")
        #expect(taeki.call("release \(lease)")?.line == "TRUE lease \(lease) released")
        #expect(taeki.notice("lease-end \(lease) ")?.line == "lease-end \(lease) released")
        let notices = cube.zenkaDirectory("provider") + "/notices.txt"
        #expect(eventually(timeout: 3) {
            (try? String(contentsOfFile: notices, encoding: .utf8)) == "lease-end \(lease) released\n"
        })
        #expect(taeki.call("offers")?.rows.first?[4] == "100")
        #expect(taeki.call("acquire \(offer) 100")?.isTrue == true)
    }

    @Test func providerDeathWhileALeaseIsBeingDecided() throws {
        // A provider that never answers lease-request, killed while the consumer waits.
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "provider", conf: """
                program = \(ManagerScripts.python)
                args = -u provider.py
                restart = never
                """, files: ["provider.py": ManagerScripts.provider.replacingOccurrences(
                    of: "s.sendall(('(%s)TRUE granted\\n' % tid).encode())", with: "pass")]),
        ])
        let offer = try #require(ManagerProcesses.pid(in: cube.zenkaDirectory("provider") + "/offer.id", timeout: 8))
        let taeki = try cube.client("taeki")
        let root = try cube.client()
        taeki.send("(5)acquire \(offer) 50 60\n")
        #expect(eventually(timeout: 3) { FileManager.default.fileExists(atPath: cube.zenkaDirectory("provider") + "/requests.txt") })
        #expect(root.call("acquire \(offer) 60")?.line == "FALSE insufficient capacity [ 50 available ]")
        let provider = try #require(root.instance(of: "provider"))
        kill(provider.pid, SIGKILL)
        // The pending acquire gets a FALSE under its id; the offer is gone.
        let answer = taeki.reply(id: 5)
        #expect(answer?.keyword == "FALSE", "\(String(describing: answer))")
        #expect(answer?.line == "FALSE command route collapsed")
        // No lease was ever granted, so no lease ended: nothing else arrives.
        var extra = taeki.others
        while let message = taeki.next(timeout: 0.3) { extra.append(message) }
        #expect(extra.isEmpty, "\(extra)")
        #expect(root.call("offers")?.rows.isEmpty == true)
        #expect(root.call("leases")?.rows.isEmpty == true)
    }
}
