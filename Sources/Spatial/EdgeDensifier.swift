/// Transforms lines and rings so that their edges follow the transform, not just their vertices.
///
/// A straight edge in the source CRS is a curve after a non-linear transform: GCJ-02 and BD-09
/// have offset terms with wavelengths of a few tens of kilometres, so joining only the
/// transformed vertices of a 20 km edge moves it by metres. Each segment is therefore halved in
/// the source CRS, recursively, while the transformed midpoint lies more than `tolerance`
/// (target units) from the straight segment between the transformed ends — PROJ's densification
/// of bounds, made adaptive. Where the transform is linear (identity, affine, a projection over
/// a short segment) the first midpoint lies on the segment and nothing is added. Points are
/// transformed as they are.
public enum EdgeDensifier {
    /// Halvings of one source segment at most: 2^16 pieces (0.3 m pieces of a 20 km edge). It
    /// bounds the work where the transform is not smooth (the edge of the GCJ-02 box, where the
    /// offset stops), where no number of vertices would make the midpoint test pass.
    public static let maxDepth = 16

    /// `g` with every coordinate transformed and vertices added as described above; `added`
    /// counts the added vertices.
    public static func transform(_ g: Geometry, tolerance: Double, maxDepth: Int = maxDepth,
                                 _ transform: (Coordinate) throws -> Coordinate) throws -> (geometry: Geometry, added: Int) {
        var added = 0
        func line(_ cs: [Coordinate]) throws -> [Coordinate] {
            let r = try Self.transform(line: cs, tolerance: tolerance, maxDepth: maxDepth, transform)
            added += r.added
            return r.line
        }
        let result: Geometry
        switch g {
        case .point, .multiPoint: result = try g.mapCoordinates(transform)
        case .lineString(let cs): result = .lineString(try line(cs))
        case .polygon(let rings): result = .polygon(try rings.map(line))
        case .multiLineString(let lines): result = .multiLineString(try lines.map(line))
        case .multiPolygon(let polys): result = .multiPolygon(try polys.map { try $0.map(line) })
        }
        return (result, added)
    }

    /// One line or ring (a ring stays closed: its last vertex is transformed like the others).
    public static func transform(line: [Coordinate], tolerance: Double, maxDepth: Int = maxDepth,
                                 _ transform: (Coordinate) throws -> Coordinate) throws -> (line: [Coordinate], added: Int) {
        guard let first = line.first else { return ([], 0) }
        var out: [Coordinate] = []
        out.reserveCapacity(line.count)
        var added = 0
        func refine(_ a: Coordinate, _ ta: Coordinate, _ b: Coordinate, _ tb: Coordinate, depth: Int) throws {
            guard depth < maxDepth else { return }
            let m = Coordinate((a.x + b.x) / 2, (a.y + b.y) / 2)
            let tm = try transform(m)
            guard distance(tm, ta, tb) > tolerance else { return }
            try refine(a, ta, m, tm, depth: depth + 1)
            out.append(tm)
            added += 1
            try refine(m, tm, b, tb, depth: depth + 1)
        }
        var previous = first, transformed = try transform(first)
        out.append(transformed)
        for c in line.dropFirst() {
            let tc = try transform(c)
            if c != previous { try refine(previous, transformed, c, tc, depth: 0) }
            out.append(tc)
            previous = c
            transformed = tc
        }
        return (out, added)
    }

    /// Distance from `p` to the segment `a`–`b`.
    static func distance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0
        let ex = p.x - (a.x + t * dx), ey = p.y - (a.y + t * dy)
        return (ex * ex + ey * ey).squareRoot()
    }
}
