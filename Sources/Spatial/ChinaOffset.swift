import Foundation

/// GCJ-02 and BD-09 in Swift: the published forward formulas and an iterative inverse.
///
/// Outside China (the box 72.004–137.8347°E, 0.8293–55.8271°N, the one most libraries use)
/// the forward shift is the identity, as the map providers do. The inverse iterates the
/// forward formula (fixed point) until the residual is below 1e-10° (~0.01 mm).
public enum ChinaOffset {
    private static let a = 6378245.0
    private static let ee = 0.00669342162296594323
    /// Baidu's constant: π × 3000 / 180 (not plain π, a common error worth tens of metres).
    private static let xPi = Double.pi * 3000.0 / 180.0

    public static func isOutsideChina(_ c: Coordinate) -> Bool {
        c.x < 72.004 || c.x > 137.8347 || c.y < 0.8293 || c.y > 55.8271
    }

    public static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        let x = c.x - 105.0, y = c.y - 35.0
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
        dLat += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLat += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        dLat += (160.0 * sin(y / 12.0 * .pi) + 320 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
        dLon += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLon += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        dLon += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        let radLat = c.y / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = sqrt(magic)
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * .pi)
        return Coordinate(c.x + dLon, c.y + dLat)
    }

    public static func gcj02ToWGS84(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        var guess = c
        for _ in 0..<10 {
            let f = wgs84ToGCJ02(guess)
            let dx = f.x - c.x, dy = f.y - c.y
            guess = Coordinate(guess.x - dx, guess.y - dy)
            if abs(dx) < 1e-10 && abs(dy) < 1e-10 { break }
        }
        return guess
    }

    public static func gcj02ToBD09(_ c: Coordinate) -> Coordinate {
        let z = sqrt(c.x * c.x + c.y * c.y) + 0.00002 * sin(c.y * xPi)
        let theta = atan2(c.y, c.x) + 0.000003 * cos(c.x * xPi)
        return Coordinate(z * cos(theta) + 0.0065, z * sin(theta) + 0.006)
    }

    /// Inverse of `gcj02ToBD09`, iterated like the GCJ-02 inverse (the closed form is off by ~1 m).
    public static func bd09ToGCJ02(_ c: Coordinate) -> Coordinate {
        var guess = Coordinate(c.x - 0.0065, c.y - 0.006)
        for _ in 0..<10 {
            let f = gcj02ToBD09(guess)
            let dx = f.x - c.x, dy = f.y - c.y
            guess = Coordinate(guess.x - dx, guess.y - dy)
            if abs(dx) < 1e-10 && abs(dy) < 1e-10 { break }
        }
        return guess
    }

    public static func wgs84ToBD09(_ c: Coordinate) -> Coordinate {
        isOutsideChina(c) ? c : gcj02ToBD09(wgs84ToGCJ02(c))
    }

    public static func bd09ToWGS84(_ c: Coordinate) -> Coordinate {
        isOutsideChina(c) ? c : gcj02ToWGS84(bd09ToGCJ02(c))
    }
}
