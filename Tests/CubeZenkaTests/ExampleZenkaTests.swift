import CubeTestSupport
import CubeZenka
import Foundation
import Testing

/// The SDK's documented example, verbatim but for `@main`, run from the manager's environment.
struct Hello {
    static func main() async throws {
        let zenka = Zenka(name: "hello")                      // settings from the manager's environment by default
        zenka.command("greet", help: "greet <name>: says hello") { call in .true("hello \(call.args)") }
        zenka.command("count", help: "count <n>: streams n lines") { call in
            for i in 1...(Int(call.args) ?? 3) { try await call.stream(Array("\(i)\n".utf8)) }
            return .true("done")
        }
        try await zenka.run()
    }
}

@Suite(.serialized) struct ExampleZenkaTests {
    @Test func theDocumentedExampleWorksFromTheEnvironment() async throws {
        let cube = try CubeProcess(profile: .zenka)
        setenv("PROTOCOL_7_UNIX_PATH", cube.socketPath, 1)
        setenv("PROTOCOL_7_ZENKA_NAME", "hello[doc]", 1)
        setenv("PROTOCOL_7_ZENKA_KEY", try cube.registerKey(for: "hello[doc]"), 1)
        let task = Task { try await Hello.main() }
        let client = try TestClient(cube: cube)
        let present = try await eventually { try await client.final("present hello").hasPrefix("TRUE") }
        for variable in ["PROTOCOL_7_UNIX_PATH", "PROTOCOL_7_ZENKA_NAME", "PROTOCOL_7_ZENKA_KEY"] { unsetenv(variable) }
        #expect(present)
        #expect(try await client.final("hello[doc].greet world") == "TRUE hello world")
        let stream = try await client.ask("hello.count 2")
        #expect(stream.map(TestClient.render) == ["STRM 1\n", "STRM 2\n", "TRUE done"])
        task.cancel()
        try await task.value
        cube.stop()
    }
}
