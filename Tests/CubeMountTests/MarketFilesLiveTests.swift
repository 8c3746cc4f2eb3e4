@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Foundation
import Synchronization
import Testing

/// The market as files through a real FUSE mount of an in-process hub, driven by child
/// processes (`/bin/sh`, `bash`): acquire, renew, usage, release and the ledger
/// (docs/market.md "The market as files"). Every test unmounts on every path (``withMountedHub``).
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct MarketFilesLiveTests {
    @Test func acquireRenewUseAndReleaseALeaseWithEchoCatAndRmdir() throws {
        try withMountedHub { hub, _, path in
            let provider = Provider(hub: hub)
            provider.say("offer storage 1000 tier=ssd")
            #expect(run("ls \(path)/offers/1").output == "acquire\ninfo\n")
            #expect(run("cat \(path)/offers/1/info").output.contains("kind: storage\n"))

            // echo: the write returns once the command is queued; the lease follows.
            let echoed = run("echo '100 60' > \(path)/offers/1/acquire")
            #expect(echoed.status == 0, "\(echoed)")
            #expect(waitFor { run("ls \(path)/leases").output == "1\n" }, "\(run("ls \(path)/leases"))")
            #expect(run("ls \(path)/leases/1").output == "info\nrenew\nusage\n")
            let info = run("cat \(path)/leases/1/info").output
            #expect(info.contains("consumer: unix-root\n") && info.contains("amount: 100\n") && info.contains("ttl: 60\n"), "\(info)")
            #expect(provider.requests() == ["lease-request 1 unix-root 100 60"])
            let root = run("timeout -s KILL 3 grep -m 1 -F 'TRUE lease 1 ' \(path)/out")
            #expect(root.output.hasSuffix("TRUE lease 1 offer 1 amount 100 ttl 60\n"), "the root's out has the reply: \(root)")

            // ask-style: write, then read exactly the reply, with the line's own id.
            let asked = run("exec 3<>\(path)/offers/1/acquire; echo '(9) 50 30' >&3; cat <&3")
            #expect(asked.output == "(9)TRUE lease 2 offer 1 amount 50 ttl 30\n", "\(asked)")

            // renew: a ttl, or nothing for the lease's own.
            #expect(run("echo 120 > \(path)/leases/1/renew").status == 0)
            #expect(run("cat \(path)/leases/1/info").output.contains("ttl: 120\n"))
            let renewed = run("exec 3<>\(path)/leases/2/renew; echo >&3; cat <&3")
            #expect(renewed.output.hasSuffix("TRUE lease 2 renewed [ ttl 30 s ]\n"), "\(renewed)")
            let usage = run("cat \(path)/leases/1/usage").output
            #expect(usage.hasPrefix("id: 1\nconsumer: unix-root\nprice: 0.000\ncharges: 0\ncharged: 0.000\n"), "\(usage)")

            // rmdir and rm -r release; the provider is told.
            let removed = run("rmdir \(path)/leases/1 && rm -r \(path)/leases/2 && ls \(path)/leases")
            #expect(removed.status == 0 && removed.output == "", "\(removed)")
            #expect(hub.inspect { $0.allLeases.isEmpty })
            #expect(waitFor { provider.notices().sorted() == ["lease-end 1 released", "lease-end 2 released"] }, "\(provider.notices())")
            let gone = run("exec /bin/bash -c 'rmdir \(path)/leases/1'")
            #expect(gone.status != 0 && gone.errors.contains("No such file"), "\(gone)")
        }
    }

    /// The router's own refusals fail the write with their errno and leave their FALSE line
    /// in the root's `out` (bash's echo names the errno).
    @Test func refusalsGiveTheirErrnoAndReason() throws {
        try withMountedHub { hub, _, path in
            let provider = Provider(hub: hub)
            provider.say("offer storage 1000")
            provider.say("offer compute 4 price=2")
            func write(_ line: String, to file: String) -> (status: Int32, output: String, errors: String) {
                run("exec /bin/bash -c \"echo '\(line)' > \(path)/\(file)\"")
            }
            let full = write("(21) 5000", to: "offers/1/acquire")
            #expect(full.status != 0 && full.errors.contains("No space left on device"), "\(full)")
            let out = run("timeout -s KILL 3 grep -m 1 -F '(21)' \(path)/out")
            #expect(out.output == "(21)FALSE insufficient capacity [ 1000 available ]\n", "\(out)")
            let bad = write("lots", to: "offers/1/acquire")
            #expect(bad.status != 0 && bad.errors.contains("Invalid argument"), "\(bad)")
            let ttl = write("10 0", to: "offers/1/acquire")
            #expect(ttl.status != 0 && ttl.errors.contains("Invalid argument"), "\(ttl)")
            let credit = write("1", to: "offers/2/acquire")
            #expect(credit.status != 0 && credit.errors.contains("quota exceeded"), "\(credit)")
            #expect(run("echo 1 > \(path)/offers/3/acquire").status != 0, "no such offer: no such file")
            #expect(provider.requests().isEmpty, "nothing refused reached the provider")

            // With credit, the priced offer is leased; the ledger shows the grant.
            let admin = hub.connectLocal(Sink(), user: "root", transport: .local("test"))
            hub.received(Array("grant unix-root 5\n".utf8), from: admin)
            #expect(run("cat \(path)/ledger/balance").output == "user: unix-root\nbalance: 5.000\n")
            #expect(run("cat \(path)/ledger/statement").output.contains("grant by root"))
            #expect(write("1 60", to: "offers/2/acquire").status == 0)
            #expect(waitFor { hub.inspect { $0.allLeases.contains { $0.state == .active } } })
            let usage = run("cat \(path)/leases/1/usage").output
            #expect(usage.contains("price: 2.000\n"), "\(usage)")
            let renew = write("0", to: "leases/1/renew")
            #expect(renew.status != 0 && renew.errors.contains("Invalid argument"), "\(renew)")
            let files = run("exec /bin/bash -c 'echo x > \(path)/leases/1/usage'")
            #expect(files.status != 0, "usage is read-only: \(files)")
        }
    }
}

/// An in-process provider session that grants every `lease-request` and keeps what it was sent.
final class Provider: SessionEndpoint {
    private let hub: Hub
    private let id = Mutex<SessionID>(0)
    private let lines = Mutex<[String]>([])

    init(hub: Hub) {
        self.hub = hub
        let session = hub.connectLocal(self, user: "store", transport: .local("test"))
        id.withLock { $0 = session }
    }

    /// Sends a command as the provider.
    func say(_ line: String) {
        hub.received(Array("\(line)\n".utf8), from: id.withLock { $0 })
    }

    /// The `lease-request` commands received, without their ids.
    func requests() -> [String] { lines.withLock { $0 }.filter { $0.contains("lease-request") }.map(Self.withoutID) }

    /// The notices received (`lease-end …`).
    func notices() -> [String] { lines.withLock { $0 }.filter { $0.hasPrefix("lease-end") } }

    func send(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n").map(String.init) {
            lines.withLock { $0.append(line) }
            // Answered off the hub's thread: the hub may hold its lock while it sends.
            guard line.contains("lease-request"), line.hasPrefix("("), let close = line.firstIndex(of: ")") else { continue }
            let reply = Array("\(line[...close])TRUE\n".utf8)
            let (hub, session) = (hub, id.withLock { $0 })
            Thread.detachNewThread { hub.received(reply, from: session) }
        }
    }

    func close() {}

    private static func withoutID(_ line: String) -> String {
        guard line.hasPrefix("("), let close = line.firstIndex(of: ")") else { return line }
        return String(line[line.index(after: close)...])
    }
}

/// Polls `condition` for up to 5 s.
func waitFor(_ condition: () -> Bool) -> Bool {
    for _ in 0..<100 {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}
