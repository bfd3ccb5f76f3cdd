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
        /// False when edges i of `a` and j of `b` meet in a way that proves nothing.
        func hold(_ i: Int, _ j: Int) -> Bool {
            switch meeting(sa, i, sb, j) {
            case .apart, .atSharedVertex: return true
            case .sharedOppositeSides: sharedA[i] = true; sharedB[j] = true; return true
            case .other: return false
            }
        }
        if sa.count * sb.count <= 4096 {
            for i in 0..<sa.count { for j in 0..<sb.count where !hold(i, j) { return false } }
        } else {
            // Each edge of `a` against the edges of `b` in the same strips of the region: edges
            // are short beside a pair's common extent, so this is near-linear, not all pairs.
            let strips = Strips(sb, along: region.minX...region.maxX, lower: sb.x0, upper: sb.x1)
            var seen = [Int](repeating: -1, count: sb.count)
            for i in 0..<sa.count {
                for k in strips.range(min(sa.x0[i], sa.x1[i]), max(sa.x0[i], sa.x1[i])) {
                    for j in strips.members[k] where seen[Int(j)] != i {
                        seen[Int(j)] = i
                        if !hold(i, Int(j)) { return false }
                    }
                }
            }
        }
        return noVertexInside(sa, shared: sharedA, of: b, region: region) && noVertexInside(sb, shared: sharedB, of: a, region: region)
    }

    /// Edges by the strips of an interval they reach (along x, or along y), for finding the
    /// edges near a value without visiting all of them.
    private struct Strips {
        let low: Double, width: Double
        var members: [[Int32]]

        init(_ edges: Edges, along span: ClosedRange<Double>, lower: [Double], upper: [Double]) {
            let count = max(1, min(512, edges.count / 4))
            low = span.lowerBound
            width = (span.upperBound - span.lowerBound) / Double(count)
            members = Array(repeating: [], count: count)
            for j in 0..<edges.count {
                for k in range(min(lower[j], upper[j]), max(lower[j], upper[j])) { members[k].append(Int32(j)) }
            }
        }

        func strip(_ v: Double) -> Int {
            guard width > 0 else { return 0 }
            return min(members.count - 1, max(0, Int(((v - low) / width).rounded(.down))))
        }

        func range(_ lo: Double, _ hi: Double) -> ClosedRange<Int> { strip(lo)...strip(hi) }
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
        // They meet. Only at one vertex of both is allowed: two edges on one line that share a
        // vertex meet only there when they leave it in opposite directions.
        guard start || end || startEnd || endStart else { return .other }
        guard pb0 == 0 && pb1 == 0 && qa0 == 0 && qa1 == 0 else { return .atSharedVertex }
        let (sx, sy) = start || startEnd ? (ax0, ay0) : (ax1, ay1)
        let (px, py) = start || startEnd ? (ax1, ay1) : (ax0, ay0)
        let (qx, qy) = start || endStart ? (bx1, by1) : (bx0, by0)
        let sameWay = px != sx ? (px > sx) == (qx > sx) : (py > sy) == (qy > sy)
        return sameWay ? .other : .atSharedVertex
    }

    /// Conditions 2 and 3 for the edges `edges` of one geometry against the other, `other`. A
    /// shared edge's ends are vertices of both; a vertex outside `region` is outside `other`.
    private static func noVertexInside(_ edges: Edges, shared: [Bool], of other: Geometry, region: Envelope) -> Bool {
        // Every edge: the ray from a point towards +x runs on past the region. It meets only
        // edges whose y-extent holds the point's y.
        let rings = other.polygons.flatMap { $0 }
        var bands: (edges: Edges, strips: Strips)?
        if rings.reduce(0, { $0 + $1.count }) > 256 {
            let all = Edges(other, near: other.envelope)
            bands = (all, Strips(all, along: region.minY...region.maxY, lower: all.y0, upper: all.y1))
        }
        func location(_ x: Double, _ y: Double) -> PointLocation {
            guard x >= region.minX, x <= region.maxX, y >= region.minY, y <= region.maxY else { return .exterior }
            var ray = RayCrossing(x: x, y: y)
            if let (all, strips) = bands {
                for j in strips.members[strips.strip(y)] {
                    let k = Int(j)
                    ray.count(all.x0[k], all.y0[k], all.x1[k], all.y1[k])
                    if ray.onSegment { return .boundary }
                }
            } else {
                for ring in rings {
                    for k in 0..<(ring.count - 1) {
                        ray.count(ring[k].x, ring[k].y, ring[k + 1].x, ring[k + 1].y)
                        if ray.onSegment { return .boundary }
                    }
                }
            }
            return ray.location
        }
        for i in 0..<edges.count where !shared[i] {
            let start = location(edges.x0[i], edges.y0[i]), end = location(edges.x1[i], edges.y1[i])
            if start == .interior || end == .interior || (start == .boundary && end == .boundary) { return false }
        }
        return true
    }
}
