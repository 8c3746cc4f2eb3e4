@testable import CubeNet
import Testing

/// Where ``ReadSplit`` cuts a read: after the first LF at or past the middle, only for reads of
/// at least ``ReadSplit/minimum`` bytes with few enough lines before the cut.
struct ReadSplitTests {
    private func cut(_ text: String) -> Int? {
        Array(text.utf8).withUnsafeBytes { ReadSplit.cut($0) }
    }

    @Test func aShortReadIsNotCut() {
        let line = "(1)bench.echo x\n"
        #expect(cut(String(repeating: line, count: 10)) == nil)
        #expect(cut(String(repeating: "x", count: ReadSplit.minimum - 3) + "\n\n") == nil, "one byte short")
    }

    @Test func aBurstIsCutAfterTheLineThatCrossesTheMiddle() throws {
        let line = "(123456)bench.echo some argument\n"  // 33 bytes
        let burst = String(repeating: line, count: 64)
        let at = try #require(cut(burst))
        #expect(at == 33 * 32, "64 lines: 32 before the cut")
        let odd = String(repeating: line, count: 63)
        // The middle byte (1,039) is in the 32nd line (bytes 1,023-1,055): the cut follows its LF.
        #expect(cut(odd) == 33 * 32)
    }

    @Test func noLFPastTheMiddleMeansNoCut() {
        // One large body: cutting it would send nothing early.
        let body = "(1)bench.echo x\n" + String(repeating: "y", count: 4000)
        #expect(cut(body) == nil)
        // The only LF past the middle is the last byte: the second half would be empty.
        #expect(cut(String(repeating: "y", count: 3000) + "\n") == nil)
    }

    @Test func tooManyLinesBeforeTheCutMeansNoCut() {
        // More lines than the turn budget allows before the cut: routed whole, so the router's
        // turn (Hub.turnBudget) ends where it would have.
        let many = String(repeating: "x\n", count: 600)
        #expect(many.utf8.count >= ReadSplit.minimum)
        #expect(cut(many) == nil)
        let fewer = String(repeating: String(repeating: "z", count: 15) + "\n", count: 2 * ReadSplit.maximumLines)
        #expect(cut(fewer) == 16 * ReadSplit.maximumLines, "exactly the most lines allowed")
    }
}
