import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Instances that follow demand through the real manager (docs/pooling.md "Scaling"): the
/// router asks for instances under load and drains idle ones before the manager stops them.
@Suite(.serialized) struct ManagerScalingLiveTests {
    /// A stdio zenka that works one command at a time: `job` takes 0.1 s and answers its pid.
    static let worker = #"""
    #!/bin/sh
    while IFS= read -r line; do
        id=${line%%)*}; id=${id#(}
        rest=${line#*)}; command=${rest%% *}
        case "$command" in
            heart) echo "($id)TRUE beating" ;;
            job)   sleep 0.1; echo "($id)TRUE $$" ;;
            *)     echo "($id)FALSE command does not exist" ;;
        esac
    done
    """#

    static func zenka(_ keys: String) -> ManagerZenka {
        ManagerZenka(name: "work", conf: """
            program = /bin/sh
            args = work.sh
            mode = stdio
            heartbeat = 0
            dispatch = balanced
            \(keys)
            """, files: ["work.sh": worker])
    }

    /// Sends `total` jobs (ids from `first`) keeping `window` in flight; returns the answering
    /// pid per id. A duplicate, unknown or failed reply is recorded as an issue.
    private func jobs(_ client: ManagerClient, first: UInt64, total: Int, window: Int) -> [UInt64: String] {
        var answers: [UInt64: String] = [:]
        var next = first
        let end = first + UInt64(total)
        while next < first + UInt64(min(window, total)) {
            client.send("(\(next))work.job\n")
            next += 1
        }
        let deadline = Date().addingTimeInterval(60)
        while answers.count < total, Date() < deadline, let message = client.next(timeout: 10) {
            guard let id = message.id, (first..<end).contains(id), answers[id] == nil, message.isTrue else {
                Issue.record("unexpected, duplicate or failed reply \(message)")
                continue
            }
            answers[id] = message.text
            if next < end {
                client.send("(\(next))work.job\n")
                next += 1
            }
        }
        #expect(answers.count == total, "\(answers.count) of \(total) answered")
        return answers
    }

    /// Polls `condition` every 100 ms for at most `seconds`.
    private func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test func scalesUpUnderLoadAndDrainsDownWithoutLosingOrDuplicatingAReply() throws {
        let cube = try ManagerCube(zenki: [Self.zenka("""
            instances.min = 1
            instances.max = 3
            scale.target = 2
            scale.up-after = 1
            scale.down-after = 2
            scale.cooldown = 1
            """)])
        let admin = try cube.client()
        let client = try cube.client()
        #expect(eventually(5) { admin.status("work").count == 1 })
        // Eight in flight for one 10/s instance: loaded past the target until it grows.
        let busy = jobs(client, first: 1, total: 120, window: 8)
        let pids = Set(busy.values)
        #expect(pids.count >= 2, "answered by \(pids)")
        #expect(cube.logLines(containing: "scale-up work").count >= 1, "\(cube.log)")
        // A trickle (one in flight) while the idle instances drain and stop: still exactly one
        // answer per job.
        _ = jobs(client, first: 1000, total: 60, window: 1)
        #expect(eventually(10) { admin.status("work").count == 1 }, "\(admin.status("work"))")
        #expect(cube.logLines(containing: "zenka drained, stopping").count >= 1, "\(cube.log)")
        #expect(cube.logLines(containing: "scale-down work").count >= 1)
        let stats = admin.call("stats work")
        #expect(stats?.body.contains("errors 0\n") == true, "\(String(describing: stats))")
        #expect(client.others.isEmpty, "unexpected: \(client.others)")
    }

    /// A balanced zenka that crashes at start is started again only after `restart.backoff`
    /// (doubling), not for every command that finds no instance: each such command is answered
    /// at once (a hostile second reader: 199 processes for 199 commands in 4 s).
    @Test func aZenkaCrashingAtStartIsNotStartedOncePerCommand() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "work", conf: """
                program = /bin/sh
                args = crash.sh
                mode = stdio
                heartbeat = 0
                dispatch = balanced
                instances.min = 0
                instances.max = 3
                restart = never
                restart.backoff = 1
                scale.cooldown = 1
                """, files: ["crash.sh": "#!/bin/sh\nexit 3\n"]),
        ])
        let client = try cube.client()
        var answered = 0
        for index in 1...60 {
            if let reply = client.call("work.job \(index)", timeout: 10), !reply.isTrue { answered += 1 }
            usleep(20_000)
        }
        #expect(answered == 60, "every command has its answer: \(answered)")
        let starts = cube.logLines(containing: "zenka started", "zenka=work").count
        // About 1.5 s of commands: a start, then backoffs of 1 s and 2 s.
        #expect(starts >= 1 && starts <= 4, "\(starts) starts for 60 commands")
    }

    @Test func withNoMinimumTheFirstCommandStartsAnInstanceAndIdlenessStopsIt() throws {
        let cube = try ManagerCube(zenki: [Self.zenka("""
            instances.min = 0
            instances.max = 1
            scale.down-after = 1
            scale.cooldown = 0
            """)])
        let client = try cube.client()
        usleep(300_000)
        #expect(cube.zenkaProcesses().isEmpty)
        let first = client.call("work.job", timeout: 10)
        #expect(first?.isTrue == true, "\(String(describing: first))")
        // Idle for down-after (1 s) plus a tick or two: drained and stopped.
        #expect(eventually(6) { cube.zenkaProcesses().isEmpty })
        let second = client.call("work.job", timeout: 10)
        #expect(second?.isTrue == true && second?.text != first?.text, "\(String(describing: second))")
    }
}
