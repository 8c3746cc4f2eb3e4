@testable import CubeNet
import Logging
import NIOCore
import NIOPosix
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Busy-polling of the event loops (``BusyPoll``; docs/performance.md "Busy-polling"), on real
/// loops and a real socket pair: the spin finds the group's selectors and ends on whatever the
/// loop would wake for, never by running out its budget while there is work.
@Suite(.serialized) struct BusyPollTests {
    /// With a budget the group's selectors are found, one per loop, and the spin is on (in
    /// one of a few attempts: see ``armedLoop(threads:busyPoll:)``).
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"))
    func armsWithOneSelectorPerLoop() async throws {
        let network = await armedLoop(threads: 2, busyPoll: 50)
        #expect(network.busyPoll.wanted && network.busyPoll.isOn)
        await network.shutdown()
    }

    /// Without a budget nothing is armed and nothing counted.
    @Test func offWithoutABudget() async throws {
        let network = NetworkLoop(threads: 2)
        #expect(!network.busyPoll.wanted && !network.busyPoll.isOn)
        #expect(network.busyPoll.spins == BusyPoll.Counts(input: 0, budget: 0, pauses: 0, skipped: 0))
        await network.shutdown()
    }

    /// A budget of 5 s, far longer than the test: 20 round trips through an echo on the loop
    /// (each small read spins until the next request arrives) and tasks queued from this thread
    /// while the loop spins all end their spins early. A spin that ignored either would run
    /// out its 5 s budget, which the counts would show (and the test would take minutes).
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func spinsEndOnInputAndOnTasksFromOtherThreads() async throws {
        let network = await armedLoop(busyPoll: 5_000_000)
        let (channel, peer) = try await echo(on: network)
        for round in 0..<20 {
            #expect(roundTrip(peer, "\(round)\n") == "\(round)\n")
        }
        for _ in 0..<3 {
            #expect(roundTrip(peer, "t\n") == "t\n")
            usleep(10_000) // the loop is spinning on the echo's small read now
            try await network.loops[0].submit {}.get()
        }
        let spins = network.busyPoll.spins
        #expect(spins.budget == 0, "no spin ran out while there was work: \(spins)")
        #expect(spins.input >= 20, "\(spins)")
        try await channel.close()
        close(peer)
        await network.shutdown()
    }

    /// The window adapts, per loop, to how long input takes to come back: a conversation that
    /// answers later than the budget (2 ms here) shortens the spins to none, and one that
    /// answers within it brings them back.
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func windowFallsToZeroForLateInputAndGrowsBackForPromptInput() async throws {
        let network = await armedLoop(busyPoll: 2_000)
        let (channel, peer) = try await echo(on: network)
        // The window halves per late answer: 2,000 µs to 15.6 in eight spins, then zero.
        let late = try await converse(network, peer, rounds: 20, pause: .milliseconds(20))
        // (One spin may still count input: a spinning loop preempted for longer than the pause.)
        #expect(late.budget <= 9 && late.skipped >= 11 && late.input <= 1, "\(late)")
        // A few prompt answers grow the window back; a loaded machine may pause spinning for
        // 20 ms now and then (preemption), so converse until ten spins caught their input.
        var prompt = late
        for _ in 0..<40 where prompt.input < late.input + 10 {
            prompt = try await converse(network, peer, rounds: 25)
        }
        #expect(prompt.input >= late.input + 10, "spinning came back: \(prompt)")
        try await channel.close()
        close(peer)
        await network.shutdown()
    }

    /// Turns that sent to a TCP peer (a link, a TCP client) learn a window of their own:
    /// a far peer answering later than the budget (10 ms here) stops the spinning after its
    /// turns, not after the turns of a local conversation on the same loop, which spin from
    /// the start.
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func turnsThatSentToATCPPeerHaveTheirOwnWindow() async throws {
        try await lateTurnsLeaveSmallLocalTurnsSpinning(lateFar: true, size: 0)
    }

    /// A turn that read a lot (a pipelined batch) spins when it sent only to this machine's
    /// peers, whose next batch comes within microseconds; one that read as much and sent it to
    /// a TCP peer (a link: its answers come a network round trip later) does not spin at all,
    /// neither counted as caught, run out, nor skipped.
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func largeReadsSpinUnlessTheTurnSentToATCPPeer() async throws {
        // 200 ms: far longer than a local echo takes, so a spin that ran out is a miss (the
        // spin after the test's last turns may still run out while the group shuts down).
        try await withTwoEchos(budget: 200_000, firstFar: true) { network, far, near in
            let before = network.busyPoll.spins
            let sentFar = try await converse(network, far, rounds: 10, size: 1_024)
            #expect(sentFar == before, "\(before) -> \(sentFar)")
            let local = try await converse(network, near, rounds: 10, size: 1_024)
            #expect(local.input >= sentFar.input + 9 && local.budget == 0, "\(sentFar) -> \(local)")
        }
    }

    /// Large local turns learn a window of their own too: a bulk peer whose large writes come
    /// later than the budget (10 ms here) stops the spinning after its turns, not after the
    /// small turns of a conversation on the same loop, which spin from the start.
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func largeLocalTurnsHaveTheirOwnWindow() async throws {
        try await lateTurnsLeaveSmallLocalTurnsSpinning(lateFar: false, size: 1_024)
    }

    /// One conversation (its echo a TCP peer's where `lateFar` says so, lines of `size` bytes)
    /// answered later than a 10 ms budget, then a local one of small lines on the same loop:
    /// the late turns' window halves to zero (10,000 µs to 19.5 in ten spins), and the small
    /// turns' window is still the budget: they spin at once, none is skipped.
    private func lateTurnsLeaveSmallLocalTurnsSpinning(lateFar: Bool, size: Int) async throws {
        try await withTwoEchos(budget: 10_000, firstFar: lateFar) { network, slow, chat in
            let late = try await converse(network, slow, rounds: 20, pause: .milliseconds(25), size: size)
            #expect(late.budget <= 11 && late.skipped >= 9 && late.input <= 1, "\(late)")
            let prompt = try await converse(network, chat, rounds: 10)
            #expect(prompt.skipped == late.skipped && prompt.input >= late.input + 5, "\(prompt)")
        }
    }

    /// Two ``Echo``s on one armed loop with a `budget` of µs, the first a TCP peer's where
    /// `firstFar` says so, the second local; `body` gets the group and the other ends'
    /// descriptors. Closes both and shuts the group down after.
    private func withTwoEchos(budget: Int, firstFar: Bool,
                              _ body: (NetworkLoop, CInt, CInt) async throws -> Void) async throws {
        let network = await armedLoop(busyPoll: budget)
        let (firstChannel, first) = try await echo(on: network, far: firstFar)
        let (secondChannel, second) = try await echo(on: network)
        try await body(network, first, second)
        try await firstChannel.close()
        try await secondChannel.close()
        close(first)
        close(second)
        await network.shutdown()
    }

    /// A group with busy-polling armed. Arming finds the selectors as the epoll instances
    /// that appear while the group starts, so an epoll another suite (another event-loop
    /// group, the runtime's own event thread) opens at that moment leaves it off: try again.
    private func armedLoop(threads: Int = 1, busyPoll microseconds: Int) async -> NetworkLoop {
        for _ in 0..<5 {
            let network = NetworkLoop(threads: threads, busyPoll: microseconds)
            if network.busyPoll.isOn { return network }
            await network.shutdown()
            try? await Task.sleep(for: .milliseconds(20))
        }
        return NetworkLoop(threads: threads, busyPoll: microseconds)
    }

    /// `rounds` round trips through the echo at `peer`, `pause` apart (the
    /// answer to each echo comes that late); returns the counts once the loop finished the
    /// turn that wrote the last echo (its spin is counted at the end of that turn, after the
    /// peer may already have read the echo).
    private func converse(_ network: NetworkLoop, _ peer: CInt, rounds: Int, pause: Duration = .zero,
                          size: Int = 0) async throws -> BusyPoll.Counts {
        for round in 0..<rounds {
            let line = (size > 0 ? "\(round)".padding(toLength: size - 1, withPad: "x", startingAt: 0) : "\(round)") + "\n"
            #expect(roundTrip(peer, line) == line)
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        try await network.loops[0].submit {}.get()
        try await network.loops[0].submit {}.get()
        return network.busyPoll.spins
    }

    /// An ``Echo`` on the loop of `network` over a socket pair; returns the channel and the
    /// other end's descriptor.
    private func echo(on network: NetworkLoop, far: Bool = false) async throws -> (any Channel, CInt) {
        #expect(network.busyPoll.isOn)
        var pair: [CInt] = [-1, -1]
        #expect(socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let channel = try await NIOPipeBootstrap(group: network.loops[0])
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo(far: far)) }
            }
            .takingOwnershipOfDescriptor(inputOutput: pair[0])
            .get()
        return (channel, pair[1])
    }

    /// Writes `line` and reads until its echo is back whole (or the peer ends).
    private func roundTrip(_ fd: CInt, _ line: String) -> String {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while reply.count < bytes.count {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            reply += chunk.prefix(count)
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// Sends back what it reads through a ``SocketEndpoint``, telling the loop how much it
    /// read, as the cube's read handlers do; with `far` the endpoint is a TCP peer's (a link's).
    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let far: Bool
        private var endpoint: SocketEndpoint?

        init(far: Bool = false) { self.far = far }

        func channelActive(context: ChannelHandlerContext) {
            endpoint = SocketEndpoint(channel: context.channel, logger: Logger(label: "busy-poll-test"), remote: far)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            BusyPoll.read(buffer.readableBytes)
            endpoint?.send(Array(buffer.readableBytesView))
        }
    }
}
