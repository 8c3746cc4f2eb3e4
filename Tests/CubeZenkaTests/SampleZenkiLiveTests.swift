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
        #expect(try await client.final("storage.df") == "TRUE free 3 used 17 reserved 0 quota 20")
        #expect(try await client.final("storage.put big 0123456789") == "FALSE quota exceeded")
        let list = try await client.final("storage.list")
        #expect(list.contains("lines") && list.contains("notes") && list.contains("11"))
        #expect(try await client.final("storage.get ../etc/passwd").hasPrefix("FALSE invalid name '../etc/passwd'"))
        #expect(try await client.final("storage.put .hidden x").hasPrefix("FALSE invalid name"))
        #expect(try await client.final("storage.put onlyname") .hasPrefix("FALSE usage: put <name> <text>"))
        #expect(try await client.final("storage.get nothing") == "FALSE no such blob 'nothing'")
        #expect(try await client.final("storage.delete notes") == "TRUE deleted notes")
        #expect(try await client.final("storage.delete notes") == "FALSE no such blob 'notes'")
        #expect(try await client.final("storage.df") == "TRUE free 14 used 6 reserved 0 quota 20")
        storage.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["lines"])
        cube.stop()
    }

    /// The `storage` sample's offer is leasable: `lease-request` reserves the bytes, `put`
    /// cannot use them, and the lease's end gives them back (docs/resources.md).
    @Test func storageLeases() async throws {
        // As the default configuration does, let the storage zenka offer.
        let cube = try CubeProcess(profile: .zenka, extraConfiguration: "access.cmd.usr.storage = offer unoffer")
        let client = try TestClient(cube: cube)
        let directory = cube.directory.appendingPathComponent("blobs").path
        let storage = try ZenkaProcess(["storage", "--dir", directory, "--quota", "1000"], name: "storage", cube: cube)
        try await storage.waitUntilPresent("storage", client: client)
        // The offer is made right after login: wait for its row.
        var offer = ""
        for _ in 0..<50 where offer.isEmpty {
            let table = try await client.final("offers storage")
            offer = table.split(separator: "\n").dropFirst(2).first.map { String($0.split(separator: " ")[0]) } ?? ""
            if offer.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!offer.isEmpty)

        let granted = try await client.final("acquire \(offer) 600 60")
        let words = granted.split(separator: " ").map(String.init)
        #expect(words.count == 9 && Array(words[3...]) == ["offer", offer, "amount", "600", "ttl", "60"], "\(granted)")
        let lease = words.count > 2 ? words[2] : ""
        #expect(try await client.final("storage.df") == "TRUE free 400 used 0 reserved 600 quota 1000")
        #expect(try await client.final("storage.put big \(String(repeating: "x", count: 500))") == "FALSE quota exceeded")
        #expect(try await client.final("acquire \(offer) 500") == "FALSE insufficient capacity [ 400 available ]")
        #expect(try await client.final("storage.put small \(String(repeating: "x", count: 300))") == "TRUE stored small 300 bytes")

        #expect(try await client.final("release \(lease)") == "TRUE lease \(lease) released")
        let freed = try await eventually {
            try await client.final("storage.df") == "TRUE free 700 used 300 reserved 0 quota 1000"
        }
        #expect(freed)
        // The offer is what the store had free at connect; the store itself refuses what no longer fits.
        #expect(try await client.final("acquire \(offer) 800 60") == "FALSE quota exceeded")
        storage.stop()
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
