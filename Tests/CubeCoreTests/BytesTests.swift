import CubeCore
import Testing

/// Decimal rendering of ids and body sizes, written straight into the output.
@Suite struct BytesTests {
    @Test(arguments: [0, 7, 9, 10, 99, 100, 123_456, 9_999_999, 1_000_000_000_000_000_000, UInt64.max])
    func decimalDigitsMatchTheStandardLibrary(_ value: UInt64) {
        #expect(Bytes.decimal(value) == Array(String(value).utf8))
        var out = bytes("(")
        Bytes.appendDecimal(value, to: &out)
        #expect(out == bytes("(\(value)"))
    }

    @Test func minimumWidthPadsWithZeros() {
        #expect(Bytes.decimal(7, minimumWidth: 4) == bytes("0007"))
        #expect(Bytes.decimal(0, minimumWidth: 4) == bytes("0000"))
        #expect(Bytes.decimal(12_345, minimumWidth: 4) == bytes("12345"))
        #expect(Bytes.decimal(42, minimumWidth: 1) == bytes("42"))
    }
}
