@testable import CubeCore
import Testing

/// ``RouteIndex`` and ``RouteSlotSet`` behave like the `Dictionary` and `Set` they replaced,
/// through growth, removals from the middle of probe runs and reuse.
@Suite struct RouteIndexTests {
    @Test(arguments: [1 as UInt64, 2, 3])
    func randomOperationsAgreeWithADictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var index = RouteIndex()
        var model: [UInt64: RouteSlot] = [:]
        for step in 0..<20_000 {
            // Few distinct keys, so that inserts, overwrites and removals all hit live entries;
            // target ids and slot numbers both.
            let key = step % 3 == 0 ? random.next() % 64 : 100_000 + random.next() % 300
            switch random.next() % 3 {
            case 0, 1:
                let slot = Int(random.next() % 1_000)
                index[key] = slot
                model[key] = slot
            default:
                index[key] = nil
                model[key] = nil
            }
            #expect(index[key] == model[key])
            if step % 997 == 0 {
                #expect(index.count == model.count)
                #expect(index.values.sorted() == model.values.sorted())
                #expect(model.keys.allSatisfy { index[$0] == model[$0] })
            }
        }
        for key in model.keys { index[key] = nil }
        #expect(index.isEmpty)
        #expect(index.values.isEmpty)
        #expect(index[100_001] == nil)
    }

    @Test func aSlotSetInsertsRemovesAndIteratesLikeASet() {
        var set = RouteSlotSet()
        var model = Set<RouteSlot>()
        for slot in [0, 5, 8, 16, 24, 0, 3, 1_000, 7] {
            set.insert(slot)
            model.insert(slot)
        }
        set.remove(16)
        model.remove(16)
        set.remove(99)
        #expect(set.count == model.count)
        #expect(Set(set) == model)
        #expect(set.contains(0) && !set.contains(16))
    }
}
