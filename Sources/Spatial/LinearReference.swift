/// Linear referencing along a (multi)line: measures are metres from the start, parts taken in
/// order as one route (the way GEOS's project/interpolate treat a MultiLineString).
public struct LinearReference: Sendable {
    public let parts: [[Coordinate]]
    public let length: Double

    public init(_ parts: [[Coordinate]]) {
        self.parts = parts.filter { $0.count >= 2 }
        length = self.parts.reduce(0) { total, part in
            total + zip(part, part.dropFirst()).reduce(0) { $0 + pointDistance($1.0.x, $1.0.y, $1.1.x, $1.1.y) }
        }
    }

    /// The measure of the point of the route nearest to `p`, and the distance to it.
    /// Ties (a point equally near two stretches) go to the smaller measure.
    public func project(_ p: Coordinate) -> (measure: Double, distance: Double) {
        var best = (measure: 0.0, distance: Double.infinity)
        forEachSegment { a, b, start in
            let r = Self.project(p, a, b, start: start)
            if r.distance < best.distance { best = r }
        }
        return best
    }

    /// Calls `body` with every segment in route order and the measure at its start. The same
    /// sums `project` uses, so an index over the segments reproduces its measures exactly.
    public func forEachSegment(_ body: (Coordinate, Coordinate, Double) -> Void) {
        var start = 0.0
        for part in parts {
            for (a, b) in zip(part, part.dropFirst()) {
                body(a, b, start)
                let dx = b.x - a.x, dy = b.y - a.y
                start += (dx * dx + dy * dy).squareRoot()
            }
        }
    }

    /// The nearest point of segment a–b to p, as a measure (`start` at a) and a distance.
    @inline(__always)
    public static func project(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate, start: Double) -> (measure: Double, distance: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0
        t = min(max(t, 0), 1)
        return (start + t * len2.squareRoot(), pointDistance(p.x, p.y, a.x + t * dx, a.y + t * dy))
    }

    /// The point at `measure` (clamped to the route).
    public func point(at measure: Double) -> Coordinate? {
        var remaining = min(max(measure, 0), length)
        for part in parts {
            for (a, b) in zip(part, part.dropFirst()) {
                let segment = pointDistance(a.x, a.y, b.x, b.y)
                if remaining <= segment {
                    let t = segment > 0 ? remaining / segment : 0
                    return Coordinate(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
                }
                remaining -= segment
            }
        }
        return parts.last?.last
    }

    /// The stretch between two measures, as line parts (one per part of the route it touches).
    public func substring(from m0: Double, to m1: Double) -> [[Coordinate]] {
        let lo = max(min(m0, m1), 0), hi = min(max(m0, m1), length)
        guard hi > lo else { return [] }
        var out: [[Coordinate]] = []
        var start = 0.0
        for part in parts {
            var current: [Coordinate] = []
            for (a, b) in zip(part, part.dropFirst()) {
                let segment = pointDistance(a.x, a.y, b.x, b.y)
                let end = start + segment
                if end > lo && start < hi && segment > 0 {
                    let t0 = max(lo - start, 0) / segment, t1 = min(hi - start, segment) / segment
                    let p0 = Coordinate(a.x + t0 * (b.x - a.x), a.y + t0 * (b.y - a.y))
                    let p1 = Coordinate(a.x + t1 * (b.x - a.x), a.y + t1 * (b.y - a.y))
                    if current.isEmpty { current.append(p0) }
                    current.append(p1)
                }
                start = end
            }
            if current.count >= 2 { out.append(current) }
        }
        return out
    }
}
