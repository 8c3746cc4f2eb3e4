import Foundation
import Logging
import Testing
@testable import cube

@Suite struct JSONLogHandlerTests {
    @Test func oneObjectPerLineWithEscapesAndMetadata() throws {
        let line = JSONLogHandler.render(time: "2026-12-03T10:00:00.000Z", level: .notice, label: "cube",
                                         message: "login \"failed\"\n\u{1}", metadata: ["uid": "0", "level": "x"])
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "login \"failed\"\n\u{1}")
        #expect(object["level"] == "notice")
        #expect(object["meta.level"] == "x")
        #expect(object["uid"] == "0")
        #expect(object["time"] == "2026-12-03T10:00:00.000Z")
    }

    @Test func timestampsAreRFC3339UTC() {
        let stamp = JSONLogHandler.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(stamp.dropFirst(10).first == "T")
    }
}
