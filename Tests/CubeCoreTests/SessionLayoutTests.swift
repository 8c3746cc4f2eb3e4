@testable import CubeCore
import Testing

/// What every session keeps inline (docs/performance.md "Idle memory per session"): the
/// login states and a link's description are boxed, so a logged-in session that is no link
/// pays one word for each, and the boxed values still read back whole.
@Suite struct SessionLayoutTests {
    private func session(_ phase: Session.Phase) -> Session {
        Session(id: 7, transport: .unix, peer: nil, origin: nil, since: Timestamp(monotonic: 0, wall: 0), phase: phase,
                decoder: FrameDecoder(mode: .messages, maximumLineLength: 64))
    }

    @Test func thePhaseIsOneWordWhateverTheLoginStateHolds() {
        #expect(MemoryLayout<Session.Phase>.size == MemoryLayout<Int>.size)
        var login = LoginState()
        login.listCount = 2
        var waiting = session(.verifying(login, user: "alice"))
        guard case .verifying(let kept, let user) = waiting.phase else {
            Issue.record("phase lost its case: \(waiting.phase)")
            return
        }
        #expect(kept.listCount == 2)
        #expect(user == "alice")
        waiting.phase = .active
        #expect(waiting.isActive)
    }

    @Test func aLinkIsSetReadAndClearedThroughItsBox() {
        var linked = session(.active)
        #expect(!linked.isLink)
        #expect(linked.link == nil)
        linked.link = LinkInfo(node: "n2", address: "tcp:127.0.0.1:7000", peer: nil)
        #expect(linked.isLink)
        #expect(linked.link?.node == "n2")
        #expect(linked.link?.address == "tcp:127.0.0.1:7000")
        linked.link = nil
        #expect(!linked.isLink)
    }
}
