@testable import CubeCore
import Testing

/// The word-at-a-time byte helpers of the routed path (``Bytes/firstLF(in:from:)``,
/// ``Bytes/same(_:_:)``, ``Bytes/append(_:to:)``), the bitmap of ``Bytes/isPathByte(_:)`` and
/// the packed keyword switch of
/// ``ReplyKeyword/init(token:)`` against plain loops, at every length and offset around a
/// word's eight bytes.
@Suite struct ByteScanTests {
    @Test func firstLFFindsTheFirstLineFeedFromAnyOffset() {
        var random = SplitMix64(seed: 18)
        for length in 0...40 {
            for _ in 0..<20 {
                // Few LFs, and bytes that differ from LF by one bit or borrow into it (0x0B, 0x09, 0x8A).
                let pool: [UInt8] = [0x41, 0x0B, 0x09, 0x8A, 0x00, 0xFF, 0x0A]
                let buffer = (0..<length).map { _ in pool[Int(random.next() % (random.next() % 4 == 0 ? 7 : 6))] }
                for from in 0...length {
                    let expected = buffer[from...].firstIndex(of: 0x0A)
                    #expect(Bytes.firstLF(in: buffer, from: from) == expected, "\(buffer) from \(from)")
                }
            }
        }
    }

    @Test func sameComparesEveryByte() {
        var random = SplitMix64(seed: 7)
        for length in 0...33 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let padded = [0x2E, 0x2E, 0x2E] + bytes + [0x2E]
            let slice = padded[3..<(3 + length)]
            #expect(Bytes.same(bytes, slice))
            #expect(!Bytes.same(bytes + [0], slice))
            for position in 0..<length {
                var changed = bytes
                changed[position] ^= 0x01
                #expect(!Bytes.same(changed, slice), "length \(length), byte \(position)")
            }
        }
    }

    @Test func appendCopiesSlicesAndOtherCollections() {
        let buffer = Array("xx(12)bench.echo yy".utf8)
        var out = Array("(5)".utf8)
        Bytes.append(buffer[6..<16], to: &out)
        Bytes.append("-".utf8, to: &out)
        Bytes.append(buffer[0..<0], to: &out)
        // No contiguous storage: the generic path.
        let lazy = (0..<3).lazy.map { UInt8(ascii: "a") + UInt8($0) }
        #expect(lazy.withContiguousStorageIfAvailable { _ in true } == nil)
        Bytes.append(lazy, to: &out)
        #expect(out == Array("(5)bench.echo-abc".utf8))
    }

    @Test func pathBytesAreExactlyTheProtocolsSet() {
        let set = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-[].".utf8)
        for value in 0...255 {
            #expect(Bytes.isPathByte(UInt8(value)) == set.contains(UInt8(value)), "byte \(value)")
        }
    }

    @Test func keywordsAreReadFromTheirBytesOnly() {
        for keyword in ReplyKeyword.allCases {
            #expect(ReplyKeyword(token: Array(keyword.rawValue.utf8)) == keyword)
            #expect(ReplyKeyword(token: Array(keyword.rawValue.utf8)[...]) == keyword)
            #expect(ReplyKeyword(token: Array(keyword.rawValue.lowercased().utf8)) == nil)
            #expect(ReplyKeyword(token: Array((keyword.rawValue + "S").utf8)) == nil)
            #expect(ReplyKeyword(token: Array(keyword.rawValue.dropLast().utf8)) == nil)
        }
        // Random tokens of the right sizes from the keywords' letters: only exact spellings match.
        var random = SplitMix64(seed: 5)
        let letters = Array("TRUEFALSWIZMGST".utf8)
        let spellings = ReplyKeyword.allCases.map { Array($0.rawValue.utf8) }
        for _ in 0..<20_000 {
            var token = (0..<(2 + Int(random.next() % 5))).map { _ in letters[Int(random.next() % UInt64(letters.count))] }
            if random.next() % 2 == 0 {
                // A keyword, often with one byte changed, added or dropped.
                token = spellings[Int(random.next() % UInt64(spellings.count))]
                let position = Int(random.next() % UInt64(token.count))
                switch random.next() % 4 {
                case 0: token[position] = letters[Int(random.next() % UInt64(letters.count))]
                case 1: token.insert(letters[Int(random.next() % UInt64(letters.count))], at: position)
                case 2: token.remove(at: position)
                default: break
                }
            }
            #expect(ReplyKeyword(token: token) == ReplyKeyword(rawValue: String(decoding: token, as: UTF8.self)), "\(token)")
        }
    }
}
