@testable import CubeCore
import Testing

/// ``UserDirectory/cachedIDs(of:)`` remembers the last name looked up: it must answer exactly
/// what ``UserDirectory/ids(of:)`` answers after any joins, leaves and compactions.
@Suite struct UserDirectoryMemoTests {
    @Test(arguments: 0..<3)
    func rememberedLookUpsAgreeWithFreshOnesThroughRandomChanges(seed: UInt64) {
        var random = SplitMix64(seed: 0xD1_2EC7 + seed)
        var directory = UserDirectory()
        let names = ["calc", "echo", "a-very-long-name1"]
        var live: [SessionID: String] = [:]
        for step in 0..<5_000 {
            let name = names[Int(random.next() % UInt64(names.count))]
            switch random.next() % 5 {
            case 0, 1:
                let id = 1_000_000 + random.next() % 50
                if live[id] == nil {
                    directory.joined(id, as: name, wall: Int64(step))
                    live[id] = name
                }
            case 2:
                if let (id, user) = live.randomElement(using: &random) {
                    directory.left(id, of: user, wall: Int64(step))
                    live[id] = nil
                }
            case 3:
                directory.compact()
            default:
                break
            }
            let remembered = directory.cachedIDs(of: name)
            #expect(remembered == directory.ids(of: name), "step \(step)")
            #expect(Set(remembered) == Set(live.filter { $0.value == name }.keys), "step \(step)")
        }
    }
}
