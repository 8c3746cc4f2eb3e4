@testable import CubeNet
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
    /// With a budget the group's selectors are found, one per loop, and the spin is on.
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"))
    func armsWithOneSelectorPerLoop() async throws {
        let network = NetworkLoop(threads: 2, busyPoll: 50)
        #expect(network.busyPoll.wanted && network.busyPoll.isOn)
        await network.shutdown()
    }

    /// Without a budget nothing is armed and nothing counted.
    @Test func offWithoutABudget() async throws {
        let network = NetworkLoop(threads: 2)
        #expect(!network.busyPoll.wanted && !network.busyPoll.isOn)
        #expect(network.busyPoll.spins == BusyPoll.Counts(input: 0, budget: 0, pauses: 0))
        await network.shutdown()
    }

    /// A budget of 5 s, far longer than the test: 20 round trips through an echo on the loop
    /// (each small read spins until the next request arrives) and tasks queued from this thread
    /// while the loop spins all end their spins early. A spin that ignored either would run
    /// out its 5 s budget, which the counts would show (and the test would take minutes).
    @Test(.enabled(if: System.coreCount > 1, "one CPU never spins"), .timeLimit(.minutes(1)))
    func spinsEndOnInputAndOnTasksFromOtherThreads() async throws {
        let network = NetworkLoop(threads: 1, busyPoll: 5_000_000)
        #expect(network.busyPoll.isOn)
        var pair: [CInt] = [-1, -1]
        #expect(socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let channel = try await NIOPipeBootstrap(group: network.loops[0])
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo()) }
            }
            .takingOwnershipOfDescriptor(inputOutput: pair[0])
            .get()
        for round in 0..<20 {
            #expect(roundTrip(pair[1], "\(round)\n") == "\(round)\n")
        }
        for _ in 0..<3 {
            #expect(roundTrip(pair[1], "t\n") == "t\n")
            usleep(10_000) // the loop is spinning on the echo's small read now
            try await network.loops[0].submit {}.get()
        }
        let spins = network.busyPoll.spins
        #expect(spins.budget == 0, "no spin ran out while there was work: \(spins)")
        #expect(spins.input >= 20, "\(spins)")
        try await channel.close()
        close(pair[1])
        await network.shutdown()
    }

    private func roundTrip(_ fd: CInt, _ line: String) -> String {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply = [UInt8](repeating: 0, count: 64)
        let count = reply.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return String(decoding: reply.prefix(max(count, 0)), as: UTF8.self)
    }

    /// Writes back what it reads, telling the loop how much it read, as the cube's read
    /// handlers do.
    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            BusyPoll.read(buffer.readableBytes)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }
}
