@testable import CubeMount
import CubeFS
import Testing

/// What open files cost the mount (docs/filesystem.md "Limits"): a reply wakes only its own
/// `out`'s readers, and a user other than root holds at most
/// ``MountState/openLimitPerUser`` files open (a hostile tester held 57,000 opens of `README`,
/// and every reply, under the hub's lock, walked them all).
@Suite struct MountOpenFilesTests {
    @Test func aUserHoldsAtMostTheLimitAndRootIsNotCounted() {
        var state = MountState()
        var handles: [UInt64] = []
        for _ in 0..<MountState.openLimitPerUser {
            #expect(state.mayOpen(uid: 1000))
            handles.append(state.add(OpenFile(node: .file(.readme, nil), uid: 1000)))
        }
        #expect(!state.mayOpen(uid: 1000))
        #expect(state.mayOpen(uid: 1001))
        #expect(state.mayOpen(uid: 0))
        _ = state.add(OpenFile(node: .file(.readme, nil), uid: 0))
        #expect(state.remove(handles[0]) != nil)
        #expect(state.remove(handles[0]) == nil)
        #expect(state.mayOpen(uid: 1000))
    }

    @Test func aReplyWakesTheReadersOfItsPortOnly() {
        var state = MountState()
        let calc = PortTarget.zenka("calc"), echo = PortTarget.zenka("echo")
        var reader = OpenFile(node: .file(.out, calc), uid: 0)
        reader.cursor = state.ports[calc, default: PortLog()].cursor(backlog: 0, for: PortLog.Reader(uid: 0))
        let calcOut = state.add(reader)
        let echoOut = state.add(OpenFile(node: .file(.out, echo), uid: 0))
        for _ in 0..<100 { _ = state.add(OpenFile(node: .file(.readme, nil), uid: 0)) }
        let wakeups = state.publish(Array("(1)TRUE 14\n".utf8), to: calc, owner: nil)
        #expect(wakeups.asks.isEmpty)
        #expect(state.hasData(state.files[calcOut] ?? OpenFile(node: .root, uid: 0)))
        #expect(!state.hasData(state.files[echoOut] ?? OpenFile(node: .root, uid: 0)))
        // The directory goes while calc's reader is open: its log stays until that reader closes.
        state.portGone(calc)
        #expect(state.ports[calc] != nil)
        if let file = state.remove(calcOut) { state.closed(file) }
        #expect(state.ports[calc] == nil)
    }
}
