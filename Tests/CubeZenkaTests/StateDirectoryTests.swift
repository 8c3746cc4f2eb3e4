import CubeZenka
import Testing

/// The storage sample's default directory (docs/zenki.md, "Samples"): usable by every user,
/// not only root (issue 17).
@Suite struct StateDirectoryTests {
    @Test func systemdStateDirectoryWins() {
        let environment = ["STATE_DIRECTORY": "/var/lib/protocol-7:/var/lib/other", "HOME": "/home/u"]
        #expect(StateDirectory.path(for: "storage", environment: environment, userID: 1000) == "/var/lib/protocol-7/storage")
        #expect(StateDirectory.path(for: "storage", environment: environment, userID: 0) == "/var/lib/protocol-7/storage")
    }

    @Test func rootUsesVarLib() {
        #expect(StateDirectory.path(for: "storage", environment: ["HOME": "/root"], userID: 0) == "/var/lib/protocol-7/storage")
    }

    @Test func otherUsersUseTheirOwnStateDirectory() {
        #expect(StateDirectory.path(for: "storage", environment: ["HOME": "/home/u"], userID: 1000)
            == "/home/u/.local/state/protocol-7/storage")
        #expect(StateDirectory.path(for: "storage", environment: ["HOME": "/home/u", "XDG_STATE_HOME": "/srv/state"], userID: 1000)
            == "/srv/state/protocol-7/storage")
    }

    @Test func relativeOrMissingPlacesAreNotUsed() {
        #expect(StateDirectory.path(for: "storage", environment: ["STATE_DIRECTORY": "relative", "HOME": "/h"], userID: 5)
            == "/h/.local/state/protocol-7/storage")
        #expect(StateDirectory.path(for: "storage", environment: ["XDG_STATE_HOME": "x"], userID: 5) == nil)
    }
}
