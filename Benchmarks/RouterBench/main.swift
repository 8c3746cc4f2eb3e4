// The routing core alone: pipelined request-reply through a pure `Router`, no sockets.
//
// `make bench-router` runs it. It has no reference to compare against, so it is not in
// `make bench`'s table: it tells how much of a routed request is the router's own work, and
// compares two builds of the router (alternate the binaries a few times: on a shared machine
// even one thread's CPU time per request moves from one second to the next).
//
//   cube-router-bench [DEPTH] [SECONDS]
import CubeCore

#if canImport(Glibc)
import Glibc
#endif

/// Digests are not on this path; the router only needs something to call.
struct PlainHasher: KeyHasher {
    func digest(_ key: [UInt8]) -> [UInt8] { key }
}

func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func cpuNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Answers every `(<tid>)echo x` line of `bytes` with `(<tid>)TRUE x`.
func replies(to bytes: [UInt8], into out: inout [UInt8]) {
    var index = 0
    while index < bytes.count {
        guard bytes[index] == UInt8(ascii: "("), let close = bytes[index...].firstIndex(of: UInt8(ascii: ")")),
              let end = bytes[close...].firstIndex(of: Wire.lf) else { return }
        out.append(contentsOf: bytes[index...close])
        out.append(contentsOf: "TRUE x\n".utf8)
        index = end + 1
    }
}

/// Runs pipelined bursts of `depth` requests for `seconds`; returns the requests made and the
/// CPU time spent inside the router.
///
/// A function, not top-level code: top-level variables are main-actor globals, and checking
/// that on every access would be measured as the router's.
func measure(depth: Int, seconds: Double) throws -> (requests: Int, nanoseconds: UInt64) {
    let entries = try ConfigFile.parse("access.cmd.usr.* = **\n", file: "bench")
    let configuration = try CubeConfiguration.load(entries, owner: "root")
    var now = Timestamp(monotonic: monotonicNanoseconds(), wall: 0)
    var router = Router(configuration: configuration, hasher: PlainHasher(), seed: 7, now: now)
    let (client, _) = router.connectLocal(user: "root", transport: .unix, now: now)
    let (zenka, _) = router.connectLocal(user: "bench", transport: .unix, kind: .client(method: "unix"), now: now)

    var burst: [UInt8] = []
    for id in 1...depth { burst.append(contentsOf: "(\(id))bench.echo x\n".utf8) }
    var requests = 0
    // Only the router's calls are timed: answering and counting belong to the harness.
    var routerCPU: UInt64 = 0
    let startWall = monotonicNanoseconds()
    while monotonicNanoseconds() - startWall < UInt64(seconds * 1e9) {
        for _ in 0..<100 {
            now.monotonic += 1_000
            var before = cpuNanoseconds()
            let forwarded = router.received(burst, from: client, now: now)
            routerCPU += cpuNanoseconds() - before
            var answer: [UInt8] = []
            for case .send(let id, let bytes) in forwarded where id == zenka { replies(to: bytes, into: &answer) }
            before = cpuNanoseconds()
            let relayedActions = router.received(answer, from: zenka, now: now)
            routerCPU += cpuNanoseconds() - before
            var relayed = 0
            for case .send(let id, let bytes) in relayedActions where id == client {
                relayed += bytes.count(where: { $0 == Wire.lf })
            }
            guard relayed == depth else {
                print("error: \(relayed) of \(depth) replies relayed")
                exit(1)
            }
            requests += depth
        }
    }
    return (requests, routerCPU)
}

let arguments = CommandLine.arguments
do {
    let (requests, cpu) = try measure(depth: arguments.count > 1 ? Int(arguments[1]) ?? 64 : 64,
                                      seconds: arguments.count > 2 ? Double(arguments[2]) ?? 2 : 2)
    print("router requests=\(requests) ns_per_request=\(Int((Double(cpu) / Double(requests)).rounded()))")
} catch {
    print("error: \(error)")
    exit(1)
}
