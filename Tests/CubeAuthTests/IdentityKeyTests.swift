import CubeAuth
import Foundation
import Testing

@Suite struct IdentityKeyTests {
    @Test func signaturesVerifyOnlyForTheSignedMessageAndKey() {
        let key = IdentityKey.generate()
        let message = Array("hello".utf8)
        let signature = key.sign(message)
        #expect(signature.count == 64)
        #expect(key.publicKey.verify(signature, of: message))
        #expect(!key.publicKey.verify(signature, of: Array("hellp".utf8)))
        #expect(!IdentityKey.generate().publicKey.verify(signature, of: message))
        #expect(!key.publicKey.verify(Array(signature.dropLast()), of: message))
        #expect(key.publicKey.verify(key.sign([]), of: []))
    }

    @Test func publicKeyTextRoundTripsAndRejectsNonKeys() {
        let key = TestSupport.identity(1).publicKey
        #expect(key.description.count == 52)
        #expect(PublicKey(base32: key.description) == key)
        #expect(PublicKey(base32: key.description.lowercased()) == nil)
        #expect(PublicKey(bytes: [UInt8](repeating: 0, count: 32)) == nil)  // small order
        #expect(PublicKey(bytes: [1, 2, 3]) == nil)
    }

    @Test func secretKeyMustMatchItsPublicHalf() {
        let a = TestSupport.identity(1)
        let b = TestSupport.identity(2)
        var spliced = [UInt8](repeating: 1, count: 32) + b.publicKey.bytes
        #expect(IdentityKey(secretKey: spliced) == nil)
        spliced = [UInt8](repeating: 1, count: 32) + a.publicKey.bytes
        #expect(IdentityKey(secretKey: spliced)?.publicKey == a.publicKey)
    }

    @Test func keyFileRoundTripsWithMode0600AndRefusesToOverwrite() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/node.key"
        let key = IdentityKey.generate()
        try key.write(to: path, overwrite: false)
        #expect(try TestSupport.mode(of: path) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "# protocol-7 identity key")
        #expect(lines[1].hasPrefix("secret: ") && lines[1].count == 8 + 103)
        #expect(lines[2] == "public: \(key.publicKey)")

        let read = try IdentityKey.read(from: path)
        #expect(read.publicKey == key.publicKey)
        #expect(key.publicKey.verify(read.sign([1, 2, 3]), of: [1, 2, 3]))

        #expect(throws: AuthError.self) { try IdentityKey.generate().write(to: path, overwrite: false) }
        do {
            try IdentityKey.generate().write(to: path, overwrite: false)
        } catch {
            #expect(error.kind == .fileExists)
        }
        #expect(try IdentityKey.read(from: path).publicKey == key.publicKey)

        let other = IdentityKey.generate()
        try TestSupport.setMode(0o640, of: path)
        try other.write(to: path, overwrite: true)
        #expect(try TestSupport.mode(of: path) == 0o600)
        #expect(try IdentityKey.read(from: path).publicKey == other.publicKey)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o700 | 0o007])
    func readingRefusesAKeyFileOthersCanAccess(mode: Int) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/node.key"
        try IdentityKey.generate().write(to: path, overwrite: false)
        try TestSupport.setMode(mode, of: path)
        do {
            _ = try IdentityKey.read(from: path)
            Issue.record("a key file with mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.kind == .insecurePermissions)
            #expect(error.description.contains(path))
            #expect(error.description.contains("0" + String(mode, radix: 8)))
        }
    }

    @Test func readingRejectsMalformedAndMismatchedFiles() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/node.key"
        let a = IdentityKey.generate()
        try a.write(to: path, overwrite: false)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let swapped = text.replacingOccurrences(of: "public: \(a.publicKey)",
                                                with: "public: \(IdentityKey.generate().publicKey)")
        for bad in [swapped, "# protocol-7 identity key\n", "garbage\n", text + "extra: 1\n"] {
            try a.write(to: path, overwrite: true)
            try Data(bad.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: AuthError.self) { _ = try IdentityKey.read(from: path) }
        }
        #expect(throws: AuthError.self) { _ = try IdentityKey.read(from: directory + "/missing.key") }
    }
}
