/// Clinger's fast path for plain decimals such as `538123.456` or `-12.5`: when the digits,
/// read as an integer m, satisfy m ≤ 2^53 and at most 22 of them follow the point, then m and
/// 10^k are both exact doubles and one IEEE division rounds m / 10^k correctly — the same
/// double strtod returns. Anything else (exponents, hex, inf, more digits) is left to the caller.
public enum DecimalParser {
    /// 10^k, exact for k ≤ 22 (every partial product is an exact double); a loop rather
    /// than a table, so the hot path touches no global.
    @inline(__always)
    private static func powerOfTen(_ k: Int) -> Double {
        var r = 1.0
        for _ in 0..<k { r *= 10 }
        return r
    }

    /// The value of `[+-]?digits[.digits]` (at least one digit), or nil when the text has another
    /// form or is outside the fast path.
    @inline(__always)
    public static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Double? {
        var i = 0
        var negative = false
        if n > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0, digits = 0, fraction = -1
        while i < n {
            let c = p[i]
            if c &- 48 < 10 {
                // 19 digits always fit in UInt64; beyond that, leave it to strtod.
                guard digits < 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(c &- 48)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else if c == UInt8(ascii: ".") && fraction < 0 {
                fraction = 0
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        return value(mantissa: mantissa, fraction: fraction, negative: negative)
    }

    /// m / 10^k (k = `fraction`; none when below 1), correctly rounded, when m ≤ 2^53 and
    /// k ≤ 22; else nil. `mantissa`: the digits read as an integer (at most 19 of them).
    @inline(__always)
    public static func value(mantissa: UInt64, fraction: Int, negative: Bool) -> Double? {
        guard mantissa <= 1 << 53, fraction <= 22 else { return nil }
        let value = fraction > 0 ? Double(mantissa) / powerOfTen(fraction) : Double(mantissa)
        return negative ? -value : value
    }
}
