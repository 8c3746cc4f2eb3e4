import CubeTestSupport
import Foundation
import Synchronization
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

    /// `leases/` is writable by all, so with `mount.allow-other` the kernel lets another user's
    /// `rmdir leases/<id>` through to the cube, which releases the lease if it is theirs
    /// (before: `EACCES` from the kernel for everyone but the cube's owner, found by a hostile
    /// second reader).
    @Test func anotherUserReleasesTheirOwnLeaseWithRmdir() throws {
        let user = try MountUser.ensure()
        let mount = try MountedCube(allowOther: true, extraConfiguration: "access.cmd.usr.* = heart whoami acquire release offers leases")
        defer { mount.cleanup() }
        let provider = try RawSocket(path: mount.cube.socketPath)
        #expect(provider.loginUnix())
        provider.send("(1)offer storage 10GiB\n")
        #expect(provider.readLine() == "(1)TRUE offer 1\n")
        let acquiring = DispatchGroup()
        let acquired = Mutex<MountChild.Outcome?>(nil)
        acquiring.enter()
        let command = user.prefix + ["/bin/sh", "-c", "echo '100 60' > \(shq(mount.path("offers/1/acquire")))"]
        Thread.detachNewThread {
            let outcome = MountChild.run(command)
            acquired.withLock { $0 = outcome }
            acquiring.leave()
        }
        let request = provider.readLine(timeout: 5)
        #expect(request.contains(")lease-request "), "\(request)")
        let routeID = request.dropFirst().prefix { $0 != ")" }
        let lease = request.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
        provider.send("(\(routeID))TRUE ok\n")
        acquiring.wait()
        let outcome = acquired.withLock { $0 }
        #expect(outcome?.succeeded == true, "\(String(describing: outcome))")
        let released = MountChild.run(user.prefix + ["/bin/rmdir", mount.path("leases/\(lease)")])
        #expect(released.succeeded, "\(released)")
        #expect(provider.readLine() == "lease-end \(lease) released\n")
    }
}
