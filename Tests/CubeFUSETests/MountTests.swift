import CubeFUSE
import Foundation
import Glibc
import Testing

/// Mount tests: a ``ToyFileSystem`` is mounted in a temp directory and driven only from child
/// processes (`cat`, `ls`, `sh`, `python3`); the test process never touches the mount.
@Suite(.serialized, .tags(.mount), .enabled(if: FUSEEnvironment.isAvailable, "needs /dev/fuse and fusermount3"))
struct MountTests {
    @Test func catOfStaticFile() async throws {
        try await withToyMount { _, _, path in
            let (exit, output) = try await Spawned.run(["/bin/cat", path + "/hello"])
            #expect(exit.code == 0)
            #expect(output == "hello world\n")
        }
    }

    @Test func listingShowsEntriesAndInvalidationIsVisibleWithinOneSecond() async throws {
        try await withToyMount { mount, fileSystem, path in
            let (_, rootListing) = try await Spawned.run(["/bin/ls", path])
            #expect(rootListing.split(separator: "\n") == ["dir", "hello", "inbox", "stream"])

            mount.notifier.send(fileSystem.addChild("a"))
            let (statA, _) = try await Spawned.run(["/usr/bin/stat", "-c", "%i", path + "/dir/a"])
            #expect(statA.code == 0, "lookup of a caches the entry for 60 s")

            mount.notifier.send(fileSystem.addChild("b"))
            if let removal = fileSystem.removeChild("a") { mount.notifier.send(removal) }
            let start = ContinuousClock.now
            let visible = await eventuallyAsync(timeout: .seconds(1)) {
                let (list, listing) = try await Spawned.run(["/bin/ls", path + "/dir"])
                let (gone, _) = try await Spawned.run(["/usr/bin/stat", path + "/dir/a"])
                return list.code == 0 && listing == "b\n" && gone.code != 0
            }
            #expect(visible, "add/remove visible after \(ContinuousClock.now - start)")
        }
    }

    @Test func rmReachesUnlinkAndStaticFilesRefuse() async throws {
        try await withToyMount { mount, fileSystem, path in
            mount.notifier.send(fileSystem.addChild("gone"))
            let (removed, _) = try await Spawned.run(["/bin/rm", path + "/dir/gone"])
            #expect(removed.code == 0)
            let (listing, names) = try await Spawned.run(["/bin/ls", path + "/dir"])
            #expect(listing.code == 0 && names.isEmpty)
            let refused = try Spawned(["/bin/rm", "-f", path + "/hello"])
            let exit = await refused.wait(timeout: .seconds(5))
            #expect(exit.code != 0 && refused.errorOutput.contains("not permitted"))
        }
    }

    @Test func parkedReadIsAnsweredLaterFromAnotherThread() async throws {
        try await withToyMount { _, fileSystem, path in
            let reader = try Spawned(["/usr/bin/head", "-n", "1", path + "/stream"])
            #expect(await eventually { fileSystem.parkedCount == 1 })
            await offPool { fileSystem.push("late line\n") }
            let exit = await reader.wait(timeout: .seconds(3))
            #expect(exit.code == 0 && !exit.timedOut)
            #expect(reader.output == "late line\n")
        }
    }

    @Test func sigintEndsBlockedCatWithin200ms() async throws {
        try await withToyMount { _, fileSystem, path in
            let reader = try Spawned(["/bin/cat", path + "/stream"])
            #expect(await eventually { fileSystem.parkedCount == 1 })
            let sent = ContinuousClock.now
            reader.signal(SIGINT)
            let exit = await reader.wait(timeout: .seconds(3))
            #expect(exit.signal == SIGINT, "cat was ended by the signal, not by data")
            #expect(exit.reapedAt - sent < .milliseconds(200), "took \(exit.reapedAt - sent)")
            #expect(await eventually { fileSystem.interrupts == 1 && fileSystem.parkedCount == 0 })
        }
    }

    @Test func pollWakesWhenDataArrives() async throws {
        try await withToyMount { _, fileSystem, path in
            let script = """
                import os, select, sys
                fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
                p = select.poll(); p.register(fd, select.POLLIN)
                ready = p.poll(5000)
                print("ready" if ready else "timeout", os.read(fd, 100).decode(), end="")
                """
            let poller = try Spawned(["/usr/bin/python3", "-c", script, path + "/stream"])
            #expect(await eventually(timeout: .seconds(3)) { fileSystem.pollCalls >= 1 })
            await offPool { fileSystem.push("ping\n") }
            let exit = await poller.wait(timeout: .seconds(6))
            #expect(exit.code == 0)
            #expect(poller.output == "ready ping\n")
        }
    }

    @Test func nonblockingReadGetsEAGAIN() async throws {
        try await withToyMount { _, fileSystem, path in
            let script = """
                import os, sys
                fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
                try:
                    os.read(fd, 100); print("data")
                except BlockingIOError:
                    print("EAGAIN")
                """
            let (exit, output) = try await Spawned.run(["/usr/bin/python3", "-c", script, path + "/stream"])
            #expect(exit.code == 0)
            #expect(output == "EAGAIN\n")
            #expect(fileSystem.parkedCount == 0)
        }
    }

    @Test func writeReachesFileSystemWithWritersUid() async throws {
        try await withToyMount(options: MountOptions(allowOther: true)) { _, fileSystem, path in
            let (exit, _) = try await Spawned.run([
                "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/bin/sh", "-c", "echo hello > \(path)/inbox",
            ])
            #expect(exit.code == 0)
            #expect(fileSystem.writes == [ToyFileSystem.Write(uid: 65534, bytes: Array("hello\n".utf8))])
            #expect(fileSystem.openFlags.contains { $0 & O_TRUNC != 0 }, "O_TRUNC arrives with open")
        }
    }

    @Test func unmountEndsBlockedReaderAndLeavesNothingMounted() async throws {
        let path = try makeMountPoint()
        defer { rmdir(path) }
        let fileSystem = ToyFileSystem()
        let mount = try await offPool { Result { try FUSEMount(fileSystem: fileSystem, at: path) } }.get()
        let reader = try Spawned(["/bin/cat", path + "/stream"])
        let parked = await eventually { fileSystem.parkedCount == 1 }
        let started = ContinuousClock.now
        await offPool { mount.unmount() }
        let unmountTime = ContinuousClock.now - started
        let exit = await reader.wait(timeout: .seconds(3))
        #expect(parked)
        #expect(!exit.timedOut)
        #expect(exit.code == 0, "the parked read got end-of-file")
        #expect(unmountTime < .seconds(1), "unmount took \(unmountTime)")
        #expect(mountInfoLines(containing: path).isEmpty)
        #expect(!mount.isServing)
    }

    @Test func externalFusermountEndsTheLoop() async throws {
        let path = try makeMountPoint()
        defer { rmdir(path) }
        let mount = try await offPool { Result { try FUSEMount(fileSystem: ToyFileSystem(), at: path) } }.get()
        let (exit, _) = try await Spawned.run(["/usr/bin/fusermount3", "-u", path])
        #expect(exit.code == 0)
        #expect(await eventually { !mount.isServing })
        await offPool { mount.unmount() }
        #expect(mountInfoLines(containing: path).isEmpty)
    }

    /// A lazy unmount keeps the connection while a file is open: the mount sees the mount table
    /// change and answers the parked read; once the reader closes, the kernel ends the loop.
    @Test func lazyExternalUnmountEndsBlockedReaderAndThenTheLoop() async throws {
        try await withToyMount { mount, fileSystem, path in
            let reader = try Spawned(["/bin/cat", path + "/stream"])
            let parked = await eventually { fileSystem.parkedCount == 1 }
            let (lazy, _) = try await Spawned.run(["/usr/bin/fusermount3", "-u", "-z", path])
            let exit = await reader.wait(timeout: .seconds(3))
            #expect(parked)
            #expect(lazy.code == 0)
            #expect(!exit.timedOut, "the parked read was never answered")
            #expect(exit.code == 0, "the parked read got end-of-file")
            #expect(await eventually { !mount.isServing }, "the loop did not end after the reader closed")
        }
    }

    @Test func clearStaleMountLeftByKilledProcess() async throws {
        let path = try makeMountPoint()
        defer { rmdir(path) }
        // A "daemon" that mounts /dev/fuse and never serves, then dies by SIGKILL.
        let script = """
            import ctypes, os, sys, time
            fd = os.open("/dev/fuse", os.O_RDWR)
            libc = ctypes.CDLL(None, use_errno=True)
            data = f"fd={fd},rootmode=40000,user_id=0,group_id=0".encode()
            if libc.mount(b"fusetoy", sys.argv[1].encode(), b"fuse.fusetoy", 6, data) != 0:
                print("mount failed", ctypes.get_errno(), flush=True); sys.exit(1)
            print("mounted", flush=True)
            time.sleep(60)
            """
        let daemon = try Spawned(["/usr/bin/python3", "-c", script, path])
        #expect(await eventually { daemon.output == "mounted\n" })
        daemon.signal(SIGKILL)
        _ = await daemon.wait(timeout: .seconds(3))
        #expect(mountInfoLines(containing: path).count == 1)
        let stale = try Spawned(["/usr/bin/stat", path])
        _ = await stale.wait(timeout: .seconds(3))
        #expect(stale.errorOutput.contains("Transport endpoint is not connected"))

        let cleared = try await offPool { Result { try FUSEMount.clearStaleMount(at: path) } }.get()
        #expect(cleared)
        #expect(mountInfoLines(containing: path).isEmpty)

        // Mounting now gives exactly one working mount (nothing stacked).
        let fileSystem = ToyFileSystem()
        let mount = try await offPool { Result { try FUSEMount(fileSystem: fileSystem, at: path) } }.get()
        let (catExit, output) = try await Spawned.run(["/bin/cat", path + "/hello"])
        await offPool { mount.unmount() }
        #expect(catExit.code == 0 && output == "hello world\n")
        #expect(mountInfoLines(containing: path).isEmpty)
    }

    @Test(.enabled(if: getuid() == 0, "mounting tmpfs needs root"))
    func refusesToStackOverForeignMount() async throws {
        let path = try makeMountPoint()
        defer { rmdir(path) }
        let (mounted, _) = try await Spawned.run(["/bin/mount", "-t", "tmpfs", "none", path])
        #expect(mounted.code == 0)
        let attempt = await offPool { Result { try FUSEMount(fileSystem: ToyFileSystem(), at: path) } }
        _ = try await Spawned.run(["/bin/umount", path])
        guard case .failure(let error) = attempt else {
            Issue.record("mounted on top of tmpfs")
            return
        }
        #expect(error as? FUSEError == .mountPointBusy(path: path, fileSystemType: "tmpfs"))
    }
}

/// Like ``eventually(timeout:_:)`` for checks that run child processes.
func eventuallyAsync(timeout: Duration, _ condition: () async throws -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    repeat {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(20))
    } while clock.now < deadline
    return false
}
