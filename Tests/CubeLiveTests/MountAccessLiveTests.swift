import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Who is speaking through the mount: the unix user of the writing process.
extension MountLiveTests {
    @Test func aUserWithoutPermissionGetsEACCESWhileWhatTheRulesAllowGoesThrough() throws {
        let user = try MountUser.ensure()
        let mount = try MountedCube(allowOther: true)
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        // The test configuration gives `usr.*` only read-only commands and `*.heart`.
        let write = mount.write("zenki/calc/cmd", ["(3)echo x\\n", "(4)heart\\n"], asUser: user)
        #expect(write.lines == ["write EACCES", "write ok 9", "close ok"], "\(write)")
        let out = mount.readLines("zenki/calc/out", count: 2, pattern: "-", asUser: user)
        #expect(out.succeeded, "\(out)")
        #expect(out.lines.first == "(3)FALSE command not known or no permission for 'calc.echo'", "\(out)")
        #expect(out.lines.dropFirst().first?.hasPrefix("(4)TRUE beating [ ") == true, "\(out)")
        // A plain shell redirection by that user is refused the same way, and heart works.
        let denied = MountChild.run(user.prefix + ["/bin/bash", "-c", "echo 'echo x' > \(shq(mount.path("zenki/calc/cmd")))"])
        #expect(denied.status != 0 && denied.errors.contains("Permission denied"), "\(denied)")
        let allowed = MountChild.run(user.prefix + ["/bin/sh", "-c", "echo heart > \(shq(mount.path("zenki/calc/cmd")))"])
        #expect(allowed.succeeded, "\(allowed)")
        // It speaks as unix-<name>.
        #expect(mount.write("cmd", ["(5)whoami\\n"], asUser: user).lines == ["write ok 10", "close ok"])
        let whoami = mount.readLines("out", pattern: "(5)", asUser: user)
        #expect(whoami.lines.first?.hasPrefix("(5)TRUE unix-\(user.name) ") == true, "\(whoami)")
    }

    @Test func withoutAllowOtherAnotherUserCannotEnterTheMount() throws {
        let user = try MountUser.ensure()
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let listing = mount.ls(asUser: user)
        #expect(listing.status != 0 && listing.errors.contains("Permission denied"), "\(listing)")
        #expect(mount.ls().succeeded)
    }

    @Test func aUidWithoutAUserNameGetsEACCESAndTheReasonAsAFalseLineInOut() throws {
        let uid = (54_321...54_400).first { getpwuid(UInt32($0)) == nil }.map(UInt32.init) ?? 54_321
        let nobody = MountUser(name: "uid\(uid)", uid: uid, gid: uid)
        let mount = try MountedCube(allowOther: true)
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let write = mount.write("zenki/calc/cmd", ["(9)heart\\n"], asUser: nobody)
        #expect(write.lines == ["write EACCES", "close ok"], "\(write)")
        // FILESYSTEM.md: every refusal also goes to `out` as a FALSE line.
        let out = mount.readLines("zenki/calc/out", pattern: "(9)", timeout: 2)
        #expect(out.lines.first?.hasPrefix("(9)FALSE ") == true, "no FALSE line for the refused write: \(out)")
    }
}
