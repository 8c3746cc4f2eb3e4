import CubeTestSupport
import Foundation
import Testing

/// The sample zenki as processes (`zenka calc` …) started like the manager does, through a real cube.
@Suite(.serialized) struct SampleZenkiLiveTests {
    @Test func echoAndCalc() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let echo = try ZenkaProcess(["echo"], name: "echo", cube: cube)
        let calc = try ZenkaProcess(["calc"], name: "calc", cube: cube)
        try await echo.waitUntilPresent("echo", client: client)
        try await calc.waitUntilPresent("calc", client: client)

        #expect(try await client.final("echo.echo hello  world") == "TRUE hello  world")
        #expect(try await client.final("echo.heart notime") == "TRUE beating")
        #expect(try await client.final("calc.eval 2*(3+4)") == "TRUE 14")
        #expect(try await client.final("calc.eval 1/4 + 0.5") == "TRUE 0.75")
        #expect(try await client.final("calc.eval 1/0") == "FALSE division by zero")
        #expect(try await client.final("calc.eval 1+x") == "FALSE unexpected 'x' at 3")
        #expect(try await client.final("calc.eval") == "FALSE empty expression")
        #expect(try await client.final("calc.eval (1") == "FALSE missing ')' for '(' at 1")
        #expect(try await client.final("calc.nosuch") == "FALSE command does not exist")
        #expect(try await client.final("calc.name") == "TRUE calc")
        echo.stop()
        calc.stop()
        cube.stop()
    }

    @Test func storage() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let directory = cube.directory.appendingPathComponent("blobs").path
        let storage = try ZenkaProcess(["storage", "--dir", directory, "--quota", "20"], name: "storage", cube: cube)
        try await storage.waitUntilPresent("storage", client: client)

        #expect(try await client.final("storage.put notes hello there") == "TRUE stored notes 11 bytes")
        #expect(try await client.final("storage.get notes") == "SIZE hello there")
        let multi = try await client.ask("storage.put+\nname: lines\n\nab\n..c\n.")
        #expect(multi.last.map(TestClient.render) == "TRUE stored lines 6 bytes")
        #expect(try await client.final("storage.get lines") == "SIZE ab\n.c\n")
        #expect(try await client.final("storage.df") == "TRUE free 3 used 17 quota 20")
        #expect(try await client.final("storage.put big 0123456789") == "FALSE quota exceeded")
        let list = try await client.final("storage.list")
        #expect(list.contains("lines") && list.contains("notes") && list.contains("11"))
        #expect(try await client.final("storage.get ../etc/passwd").hasPrefix("FALSE invalid name '../etc/passwd'"))
        #expect(try await client.final("storage.put .hidden x").hasPrefix("FALSE invalid name"))
        #expect(try await client.final("storage.put onlyname") .hasPrefix("FALSE usage: put <name> <text>"))
        #expect(try await client.final("storage.get nothing") == "FALSE no such blob 'nothing'")
        #expect(try await client.final("storage.delete notes") == "TRUE deleted notes")
        #expect(try await client.final("storage.delete notes") == "FALSE no such blob 'notes'")
        #expect(try await client.final("storage.df") == "TRUE free 14 used 6 quota 20")
        storage.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["lines"])
        cube.stop()
    }

    @Test func p7Log() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let log = try ZenkaProcess(["p7-log"], name: "p7-log", cube: cube)
        try await log.waitUntilPresent("p7-log", client: client)

        #expect(try await client.final("p7-log.tail") == "SIZE ")
        for index in 1...25 {
            #expect(try await client.final("p7-log.append calc line \(index)") == "TRUE appended")
        }
        #expect(try await client.final("p7-log.append lonely") == "FALSE usage: append <sender> <text>")
        let two = try await client.final("p7-log.tail 2")
        let lines = two.dropFirst(5).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix(" calc line 24") && lines[1].hasSuffix(" calc line 25"))
        let standard = try await client.final("p7-log.tail")
        #expect(standard.dropFirst(5).split(separator: "\n").count == 20)
        #expect(try await client.final("p7-log.tail many") == "FALSE usage: tail [n], n a number of lines")
        log.stop()
        cube.stop()
    }
}
