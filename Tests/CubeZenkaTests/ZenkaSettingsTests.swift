@testable import CubeZenka
import Foundation
import Testing

@Suite struct ZenkaSettingsTests {
    @Test func readsTheManagersEnvironment() {
        let environment = [
            "PROTOCOL_7_UNIX_PATH": "/tmp/c.sock", "PROTOCOL_7_ZENKA_NAME": "calc[2]", "PROTOCOL_7_ZENKA_KEY": "k1",
        ]
        let settings = ZenkaSettings.fromEnvironment(defaultName: "x") { environment[$0] }
        #expect(settings.socketPath == "/tmp/c.sock")
        #expect(settings.name == "calc[2]")
        #expect(settings.key == "k1")
        #expect(settings.keyFile == nil)
        #expect(settings.unixUser == "calc")
    }

    @Test func defaultsWithoutEnvironment() {
        let settings = ZenkaSettings.fromEnvironment(defaultName: "hello") { _ in nil }
        #expect(settings.socketPath == "/run/protocol-7/cube.sock")
        #expect(settings.name == "hello")
        #expect(settings.key == nil)
        #expect(settings.unixUser == "hello")
    }

    @Test func loginPlanUsesTheKeyOnceThenTheKeyFileThenUnix() throws {
        let file = NSTemporaryDirectory() + "zenka-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "fresh\n".write(toFile: file, atomically: true, encoding: .utf8)
        var plan = LoginPlan(settings: ZenkaSettings(socketPath: "/s", name: "calc", key: "once", keyFile: file))
        #expect(try plan.next() == .zenka(name: "calc", key: "once"))
        #expect(try plan.next() == .zenka(name: "calc", key: "fresh"))
        var unix = LoginPlan(settings: ZenkaSettings(socketPath: "/s", name: "calc", key: "once"))
        #expect(try unix.next() == .zenka(name: "calc", key: "once"))
        #expect(try unix.next() == .unix(user: "calc"))
        var none = LoginPlan(settings: ZenkaSettings(socketPath: "/s", name: "calc", unixUser: ""))
        #expect(throws: ZenkaError.noCredentials) { try none.next() }
    }

    @Test func anIdentityMakesEveryLoginC25519WithTheCertificate() throws {
        let environment = ["PROTOCOL_7_ZENKA_IDENTITY": "/k/user.key", "PROTOCOL_7_ZENKA_CERT": "/k/user.cert",
                           "PROTOCOL_7_ZENKA_KEY": "once"]
        var plan = LoginPlan(settings: ZenkaSettings.fromEnvironment(defaultName: "calc") { environment[$0] })
        #expect(try plan.next() == .c25519(identity: "/k/user.key", certificate: "/k/user.cert"))
        #expect(try plan.next() == .c25519(identity: "/k/user.key", certificate: "/k/user.cert"))
    }
}
