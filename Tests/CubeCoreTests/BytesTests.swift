import CubeCore
import Testing

/// Decimal rendering of ids and body sizes, written straight into the output.
@Suite struct BytesTests {
    @Test(arguments: [0, 7, 9, 10, 99, 100, 123_456, 9_999_999, 1_000_000_000_000_000_000, UInt64.max])
    func decimalDigitsMatchTheStandardLibrary(_ value: UInt64) {
        #expect(decimal(value) == Array(String(value).utf8))
        var out = bytes("(")
        Bytes.appendDecimal(value, to: &out)
        #expect(out == bytes("(\(value)"))
    }

    @Test func minimumWidthPadsWithZeros() {
        #expect(decimal(7, minimumWidth: 4) == bytes("0007"))
        #expect(decimal(0, minimumWidth: 4) == bytes("0000"))
        #expect(decimal(12_345, minimumWidth: 4) == bytes("12345"))
        #expect(decimal(42, minimumWidth: 1) == bytes("42"))
    }

    private func decimal(_ value: UInt64, minimumWidth width: Int = 1) -> [UInt8] {
        var out: [UInt8] = []
        Bytes.appendDecimal(value, minimumWidth: width, to: &out)
        return out
    }
}
