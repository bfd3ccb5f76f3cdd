/// A 128-bit digest of a sequence of 64-bit words, to recognise content seen before (a kept
/// index built from the same polygons). Two lanes, each a bijection of its state per word, so
/// any single changed word changes both. Not cryptographic: it tells accidental change (an
/// edited, re-imported or replaced layer) from sameness, not a forged file from a real one.
public struct ContentDigest {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xD6E8_FEB8_6659_FD93, words: UInt64 = 0

    public init() {}

    @inline(__always)
    public mutating func add(_ word: UInt64) {
        a = (a ^ word) &* 0xFF51_AFD7_ED55_8CCD
        a ^= a >> 33
        b = (b &+ word) &* 0xC4CE_B9FE_1A85_EC53
        b ^= b >> 29
        words &+= 1
    }

    public mutating func add(_ value: Double) { add(value.bitPattern) }
    public mutating func add(_ value: Int) { add(UInt64(bitPattern: Int64(value))) }

    /// The digest as 32 hex digits (the word count folded in, so a prefix differs from the whole).
    public var hex: String {
        func finish(_ x: UInt64) -> UInt64 {
            var z = x ^ words
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return [finish(a), finish(b)].map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
