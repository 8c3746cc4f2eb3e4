import CubeAuth
import CubeTestSupport
import CubeZenka
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The SDK's login plan with an identity key and a key certificate (issue 19): the zenka logs
/// in with `c25519` over the unix socket as the certified name and serves commands.
@Suite(.serialized) struct CertificateLoginLiveTests {
    @Test func aZenkaLogsInWithACertificateAsTheCertifiedName() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("zenka-cert-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = IdentityKey.generate()
        let nodePath = directory.appendingPathComponent("node.key").path
        try node.write(to: nodePath, overwrite: false)
        let user = IdentityKey.generate()
        let userPath = directory.appendingPathComponent("user.key").path
        try user.write(to: userPath, overwrite: false)
        let certificate = KeyCertificate.issue(for: user.publicKey, name: "certzen", expires: Int64(time(nil)) + 3600, by: node)
        let certificatePath = directory.appendingPathComponent("user.cert").path
        try (certificate.text + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)

        let cube = try CubeProcess(profile: .zenka, arguments: ["--identity", nodePath])
        var settings = ZenkaSettings(socketPath: cube.socketPath, name: "certzen", unixUser: "")
        settings.identityKeyPath = userPath
        settings.certificatePath = certificatePath
        let zenka = Zenka(settings: settings)
        zenka.command("greet", help: "greet <name>") { call in .true("hello \(call.args)") }
        let task = try await SDKLiveTests.start(zenka)
        let client = try TestClient(cube: cube)
        #expect(try await client.final("certzen.greet bob") == "TRUE hello bob")
        let whoami = try await client.final("list users")
        #expect(whoami.contains("certzen"), "\(whoami)")
        zenka.stop()
        try await task.value
        cube.stop()
    }
}
