/// Whether two valid polygonal geometries provably have no interior point in common, decided
/// from the shared-edge structure of a coverage, without an overlay.
///
/// In a clean coverage (unit grids) neighbours meet along edges both hold, vertex for vertex,
/// in opposite directions, and touch nowhere else. `proven(a, b)` is true only when, near the
/// pair (inside the intersection of their envelopes):
/// 1. every pair of edges, one of each, either misses, or meets only at a vertex both have,
///    or is the same edge — and a same edge has the two interiors on its two sides;
/// 2. no vertex of one lies in the interior of the other (GEOS's ray-crossing rule);
/// 3. no edge of one that is not an edge of the other runs between two vertices on the
///    other's boundary (such a chord could lie inside it).
/// Then the boundaries cross nowhere, every stretch of one boundary that is not shared lies
/// outside the other, and the interiors are disjoint. Anything else (a crossing, a vertex on
/// the middle of an edge, collinear overlap, a same-side shared edge, a chord) answers false
/// — not "they overlap", only "ask GEOS": the caller intersects the pair as before. Decisions
/// use `Orientation.index`, GEOS's orientation, so the native and GEOS paths agree on what
/// touches and what crosses.
public enum InteriorsDisjoint {
    public static func proven(_ a: Geometry, _ b: Geometry) -> Bool {
        let ea = a.envelope, eb = b.envelope
        let region = Envelope(minX: max(ea.minX, eb.minX), minY: max(ea.minY, eb.minY), maxX: min(ea.maxX, eb.maxX), maxY: min(ea.maxY, eb.maxY))
        guard region.minX <= region.maxX && region.minY <= region.maxY else { return true }
        let sa = Edges(a, near: region), sb = Edges(b, near: region)
        var sharedA = [Bool](repeating: false, count: sa.count), sharedB = [Bool](repeating: false, count: sb.count)
        for i in 0..<sa.count {
            for j in 0..<sb.count {
                switch meeting(sa, i, sb, j) {
                case .apart, .atSharedVertex: continue
                case .sharedOppositeSides: sharedA[i] = true; sharedB[j] = true
                case .other: return false
                }
            }
        }
        return noVertexInside(sa, shared: sharedA, of: b) && noVertexInside(sb, shared: sharedB, of: a)
    }

    /// The edges of a geometry's rings whose envelopes meet `region`, each directed with the
    /// geometry's interior on its left.
    private struct Edges {
        var x0: [Double] = [], y0: [Double] = [], x1: [Double] = [], y1: [Double] = []
        var count: Int { x0.count }

        init(_ g: Geometry, near region: Envelope) {
            for polygon in g.polygons {
                for (r, ring) in polygon.enumerated() where ring.count >= 4 {
                    // Shells keep the interior on the left when counter-clockwise, holes when clockwise.
                    var twiceArea = 0.0
                    for k in 0..<(ring.count - 1) { twiceArea += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y }
                    let forward = (twiceArea > 0) == (r == 0)
                    for k in 0..<(ring.count - 1) {
                        let p = ring[k], q = ring[k + 1]
                        guard max(p.x, q.x) >= region.minX, min(p.x, q.x) <= region.maxX,
                              max(p.y, q.y) >= region.minY, min(p.y, q.y) <= region.maxY else { continue }
                        let (s, t) = forward ? (p, q) : (q, p)
                        x0.append(s.x); y0.append(s.y); x1.append(t.x); y1.append(t.y)
                    }
                }
            }
        }
    }

    private enum Meeting { case apart, atSharedVertex, sharedOppositeSides, other }

    private static func meeting(_ a: Edges, _ i: Int, _ b: Edges, _ j: Int) -> Meeting {
        let ax0 = a.x0[i], ay0 = a.y0[i], ax1 = a.x1[i], ay1 = a.y1[i]
        let bx0 = b.x0[j], by0 = b.y0[j], bx1 = b.x1[j], by1 = b.y1[j]
        if max(ax0, ax1) < min(bx0, bx1) || max(bx0, bx1) < min(ax0, ax1) || max(ay0, ay1) < min(by0, by1) || max(by0, by1) < min(ay0, ay1) {
            return .apart
        }
        let start = ax0 == bx0 && ay0 == by0, end = ax1 == bx1 && ay1 == by1
        let startEnd = ax0 == bx1 && ay0 == by1, endStart = ax1 == bx0 && ay1 == by0
        if startEnd && endStart { return .sharedOppositeSides }
        if start && end { return .other }  // the same edge with both interiors on one side
        let pb0 = Orientation.index(ax0, ay0, ax1, ay1, bx0, by0), pb1 = Orientation.index(ax0, ay0, ax1, ay1, bx1, by1)
        if pb0 * pb1 > 0 { return .apart }
        let qa0 = Orientation.index(bx0, by0, bx1, by1, ax0, ay0), qa1 = Orientation.index(bx0, by0, bx1, by1, ax1, ay1)
        if qa0 * qa1 > 0 { return .apart }
        // They meet. Only at one vertex of both, and not along a line, is allowed.
        let collinear = pb0 == 0 && pb1 == 0 && qa0 == 0 && qa1 == 0
        if !collinear && (start || end || startEnd || endStart) { return .atSharedVertex }
        return .other
    }

    /// Conditions 2 and 3 for the edges `edges` of one geometry against the other, `other`.
    private static func noVertexInside(_ edges: Edges, shared: [Bool], of other: Geometry) -> Bool {
        let rings = other.polygons.flatMap { $0 }
        func location(_ x: Double, _ y: Double) -> PointLocation {
            var ray = RayCrossing(x: x, y: y)
            for ring in rings {
                for k in 0..<(ring.count - 1) {
                    ray.count(ring[k].x, ring[k].y, ring[k + 1].x, ring[k + 1].y)
                    if ray.onSegment { return .boundary }
                }
            }
            return ray.location
        }
        for i in 0..<edges.count {
            let start = location(edges.x0[i], edges.y0[i])
            if start == .interior { return false }
            if shared[i] { continue }
            let end = location(edges.x1[i], edges.y1[i])
            if end == .interior || (start == .boundary && end == .boundary) { return false }
        }
        return true
    }
}
