/// The orientation of a point relative to a directed segment, decided exactly as GEOS decides it.
///
/// A plain Double cross product disagrees with GEOS for points a hair off an edge. GEOS first
/// tries a floating-point filter with an error bound and, when that is inconclusive, evaluates
/// the determinant in double-double arithmetic. Doing the same steps here makes the native
/// kernel agree with GEOS's prepared predicates bit for bit.
public enum Orientation {
    /// The signed area of a closed ring (first vertex repeated last), by the
    /// shoelace formula: positive when the ring runs counter-clockwise.
    public static func signedArea(_ ring: [Coordinate]) -> Double {
        var s = 0.0
        for (a, b) in zip(ring, ring.dropFirst()) { s += a.x * b.y - b.x * a.y }
        return s / 2
    }

    /// +1: `q` is to the left of p1→p2 (counter-clockwise); -1: to the right; 0: collinear.
    @inline(__always)
    public static func index(_ p1x: Double, _ p1y: Double, _ p2x: Double, _ p2y: Double, _ qx: Double, _ qy: Double) -> Int {
        let detLeft = (p1x - qx) * (p2y - qy)
        let detRight = (p1y - qy) * (p2x - qx)
        let det = detLeft - detRight
        let detSum: Double
        if detLeft > 0 {
            if detRight <= 0 { return sign(det) }
            detSum = detLeft + detRight
        } else if detLeft < 0 {
            if detRight >= 0 { return sign(det) }
            detSum = -detLeft - detRight
        } else {
            return sign(det)
        }
        // 1e-15 is safely above the relative round-off of the products above.
        let errorBound = 1e-15 * detSum
        if det >= errorBound || -det >= errorBound { return sign(det) }
        return exactIndex(p1x, p1y, p2x, p2y, qx, qy)
    }

    @inline(__always)
    private static func sign(_ v: Double) -> Int { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// The slow path: (p2 - p1) × (q - p2) in double-double.
    @inline(never)
    static func exactIndex(_ p1x: Double, _ p1y: Double, _ p2x: Double, _ p2y: Double, _ qx: Double, _ qy: Double) -> Int {
        let dx1 = DoubleDouble(p2x) + DoubleDouble(-p1x)
        let dy1 = DoubleDouble(p2y) + DoubleDouble(-p1y)
        let dx2 = DoubleDouble(qx) + DoubleDouble(-p2x)
        let dy2 = DoubleDouble(qy) + DoubleDouble(-p2y)
        let d = dx1 * dy2 - dy1 * dx2
        return d.signum
    }
}

/// A double-double number (hi + lo, ~106 bits), with Dekker/Knuth's error-free steps, in the
/// operation order GEOS and JTS use, so rounding happens in exactly the same places.
struct DoubleDouble {
    var hi: Double
    var lo: Double

    init(_ v: Double) { hi = v; lo = 0 }
    init(hi: Double, lo: Double) { self.hi = hi; self.lo = lo }

    /// 2^27 + 1: splits a double into two halves whose products are exact.
    private static let split = 134_217_729.0

    var signum: Int {
        if hi > 0 { return 1 }
        if hi < 0 { return -1 }
        if lo > 0 { return 1 }
        if lo < 0 { return -1 }
        return 0
    }

    static func + (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        let S = a.hi + b.hi
        let T = a.lo + b.lo
        var e = S - a.hi
        let f = T - a.lo
        var s = S - e
        var t = T - f
        s = (b.hi - e) + (a.hi - s)
        t = (b.lo - f) + (a.lo - t)
        e = s + T
        let H = S + e
        let h = e + (S - H)
        e = t + h
        let zhi = H + e
        return DoubleDouble(hi: zhi, lo: e + (H - zhi))
    }

    static func - (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        a + DoubleDouble(hi: -1 * b.hi, lo: -1 * b.lo)
    }

    static func * (a: DoubleDouble, b: DoubleDouble) -> DoubleDouble {
        var C = split * a.hi
        var hx = C - a.hi
        var c = split * b.hi
        hx = C - hx
        let tx = a.hi - hx
        var hy = c - b.hi
        C = a.hi * b.hi
        hy = c - hy
        let ty = b.hi - hy
        c = ((((hx * hy - C) + hx * ty) + tx * hy) + tx * ty) + (a.hi * b.lo + a.lo * b.hi)
        let zhi = C + c
        hx = C - zhi
        return DoubleDouble(hi: zhi, lo: c + hx)
    }
}
