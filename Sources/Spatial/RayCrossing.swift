/// Where a point lies relative to a polygonal area.
public enum PointLocation: UInt8, Sendable {
    case exterior = 0, boundary = 1, interior = 2
}

/// Counts crossings of the horizontal ray from a point towards +x with polygon edges, the way
/// GEOS's point-in-area locator does (so both agree on every point):
/// - a point equal to a vertex, on a horizontal edge, or collinear with a crossing edge is on the boundary;
/// - an upward edge includes its start and excludes its end, a downward edge the reverse, so a
///   shared vertex is counted once;
/// - an odd count of crossings over all rings (shell and holes together) means interior.
struct RayCrossing {
    let x: Double
    let y: Double
    var crossings = 0
    var onSegment = false

    init(x: Double, y: Double) { self.x = x; self.y = y }

    @inline(__always)
    mutating func count(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
        if x1 < x && x2 < x { return }
        if x == x2 && y == y2 { onSegment = true; return }
        if y1 == y && y2 == y {
            let minX = min(x1, x2), maxX = max(x1, x2)
            if x >= minX && x <= maxX { onSegment = true }
            return
        }
        if (y1 > y && y2 <= y) || (y2 > y && y1 <= y) {
            var sign = Orientation.index(x1, y1, x2, y2, x, y)
            if sign == 0 { onSegment = true; return }
            if y2 < y1 { sign = -sign }
            if sign > 0 { crossings += 1 }
        }
    }

    var location: PointLocation {
        if onSegment { return .boundary }
        return crossings & 1 == 1 ? .interior : .exterior
    }
}

/// Euclidean distance from (px, py) to the segment a–b, computed with GEOS's formula so that
/// "within tolerance" tests agree with GEOS to the last bit.
@inline(__always)
func segmentDistance(_ px: Double, _ py: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
    if ax == bx && ay == by { return pointDistance(px, py, ax, ay) }
    let len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    let r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
    if r <= 0 { return pointDistance(px, py, ax, ay) }
    if r >= 1 { return pointDistance(px, py, bx, by) }
    let s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
    return abs(s) * len2.squareRoot()
}

@inline(__always)
func pointDistance(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
    let dx = ax - bx, dy = ay - by
    return (dx * dx + dy * dy).squareRoot()
}
