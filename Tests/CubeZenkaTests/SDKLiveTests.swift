import CubeClient
import CubeCore
import CubeTestSupport
import CubeZenka
import Foundation
import Testing

/// The SDK against a real cube process: an in-process zenka logged in with a one-time key.
@Suite(.serialized) struct SDKLiveTests {
    /// The `hello` zenka of the SDK's documentation, plus commands exercising every reply kind.
    static func makeHello(cube: CubeProcess, name: String = "hello") throws -> Zenka {
        let key = try cube.registerKey(for: name)
        let zenka = Zenka(settings: ZenkaSettings(socketPath: cube.socketPath, name: name, key: key))
        zenka.command("greet", help: "greet <name>: says hello") { call in .true("hello \(call.args)") }
        zenka.command("count", help: "count <n>: streams n lines") { call in
            try await call.wait("counting")
            for index in 1...(Int(call.args) ?? 3) { try await call.stream(Array("\(index)\n".utf8)) }
            return .true("done")
        }
        zenka.command("blob", help: "blob: a SIZE body") { _ in .size(text: "hello world\n") }
        zenka.command("fail", help: "fail: throws") { _ in throw ZenkaError.invalidArgument("on purpose") }
        zenka.command("body", help: "body: echoes a multi-line body") { call in
            .size(Array("\(call.header("kind") ?? "-")|".utf8) + (call.body ?? []))
        }
        return zenka
    }

    /// Runs `zenka` until it is connected. The bound is generous: in a parallel run, blocking
    /// live tests of other suites can hold every thread of the concurrency pool for seconds, and
    /// neither the zenka's task nor this wait runs meanwhile. On failure the zenka is stopped, so
    /// that it does not go on redialling a cube that is gone.
    static func start(_ zenka: Zenka) async throws -> Task<Void, any Error> {
        let task = Task { try await zenka.run() }
        guard await eventually(seconds: 60, { zenka.isConnected }) else {
            zenka.stop()
            throw ZenkaTestError.failed("\(zenka.name) did not connect")
        }
        return task
    }

    @Test func answersCommandsBuiltinsStreamsAndSize() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let zenka = try Self.makeHello(cube: cube)
        let task = try await Self.start(zenka)
        let client = try TestClient(cube: cube)
        #expect(try await client.final("hello.greet bob") == "TRUE hello bob")
        #expect(try await client.final("hello.heart notime") == "TRUE beating")
        #expect(try await client.final("hello.heart").hasPrefix("TRUE beating [ "))
        #expect(try await client.final("hello.name") == "TRUE hello")
        #expect(try await client.final("hello.blob") == "SIZE hello world\n")
        #expect(try await client.final("hello.nosuch x") == "FALSE command does not exist")
        #expect(try await client.final("hello.fail") == "FALSE error during command invocation [ details are logged ]")
        let commands = try await client.final("hello.commands")
        #expect(commands.hasPrefix("SIZE command") && commands.contains("greet <name>: says hello"))

        let stream = try await client.ask("hello.count 3")
        #expect(stream.map(\.keyword) == [.wait, .stream, .stream, .stream, .trueReply])
        #expect(stream.filter { $0.keyword == .stream }.map { String(decoding: $0.body ?? [], as: UTF8.self) } == ["1\n", "2\n", "3\n"])
        #expect(stream.last?.textString == "done")

        zenka.stop()
        try await task.value
        #expect(!zenka.isConnected)
        cube.stop()
    }

    @Test func sendsToAnotherZenkaAndAwaitsTheReply() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let hello = try Self.makeHello(cube: cube)
        let helloTask = try await Self.start(hello)
        let caller = Zenka(settings: ZenkaSettings(socketPath: cube.socketPath, name: "caller",
                                                   key: try cube.registerKey(for: "caller")))
        caller.command("relay", help: "relay <name>: asks hello.greet") { [caller] call in
            let reply = try await caller.send("hello.greet", args: call.args)
            return .true("relayed: \(reply.textString)")
        }
        let callerTask = try await Self.start(caller)

        let greeting = try await caller.send("hello.greet", args: "from caller")
        #expect(greeting.keyword == .trueReply && greeting.textString == "hello from caller")

        let chunks = Chunks()
        let counted = try await caller.send("hello.count", args: "2") { chunks.add($0) }
        #expect(counted.textString == "done")
        #expect(chunks.kinds == [.wait, .stream, .stream])

        let echoed = try await caller.send("hello.body", headers: [.init(key: "kind", value: "note")],
                                           body: Array("line one\n.dotted\n".utf8))
        #expect(echoed.keyword == .size && String(decoding: echoed.body ?? [], as: UTF8.self) == "note|line one\n.dotted\n")

        let missing = try await caller.send("nobody.greet")
        #expect(missing.keyword == .falseReply && missing.textString == "client not present")

        async let first = caller.send("hello.greet", args: "a")
        async let second = caller.send("hello.greet", args: "b")
        #expect(try await [first.textString, second.textString] == ["hello a", "hello b"])

        let client = try TestClient(cube: cube)
        #expect(try await client.final("caller.relay eve") == "TRUE relayed: hello eve")

        hello.stop()
        caller.stop()
        try await helloTask.value
        try await callerTask.value
        await #expect(throws: ZenkaError.notConnected) { try await caller.send("hello.greet") }
        cube.stop()
    }

    @Test func reconnectsWithUnixLoginAfterTheCubeRestarts() async throws {
        let user = UnixUserName.current
        let configuration = "auth.setup.usr.rezenka = :unix:\(user)"
        let first = try CubeProcess(profile: .zenka, extraConfiguration: configuration)
        let zenka = try Self.makeHello(cube: first, name: "rezenka")
        let task = try await Self.start(zenka)
        first.stop()
        #expect(await eventually { !zenka.isConnected })

        let second = try CubeProcess(profile: .zenka, extraConfiguration: configuration, socketPath: first.socketPath)
        #expect(await eventually(seconds: 8) { zenka.isConnected })
        let client = try TestClient(cube: second)
        #expect(try await client.final("rezenka.greet again") == "TRUE hello again")
        #expect(try await client.final("whoami").hasPrefix("TRUE unix-"))
        zenka.stop()
        try await task.value
        second.stop()
    }

    @Test func reconnectsWithAFreshKeyFromTheKeyFile() async throws {
        let first = try CubeProcess(profile: .zenka)
        let keyFile = first.directory.appendingPathComponent("zenka.key").path
        try first.registerKey(for: "keyed").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let zenka = Zenka(settings: ZenkaSettings(socketPath: first.socketPath, name: "keyed", keyFile: keyFile, unixUser: ""))
        zenka.command("greet", help: "greet") { call in .true("hi \(call.args)") }
        let task = try await Self.start(zenka)
        first.stop()
        #expect(await eventually { !zenka.isConnected })

        let second = try CubeProcess(profile: .zenka, socketPath: first.socketPath)
        try second.registerKey(for: "keyed").write(toFile: keyFile, atomically: true, encoding: .utf8)
        #expect(await eventually(seconds: 8) { zenka.isConnected })
        let client = try TestClient(cube: second)
        #expect(try await client.final("keyed.greet you") == "TRUE hi you")
        zenka.stop()
        try await task.value
        second.stop()
    }
}

/// Collects interim replies from a `send` callback.
final class Chunks: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [Reply] = []

    func add(_ reply: Reply) {
        lock.lock()
        replies.append(reply)
        lock.unlock()
    }

    var kinds: [ReplyKeyword] {
        lock.lock()
        defer { lock.unlock() }
        return replies.map(\.keyword)
    }
}
