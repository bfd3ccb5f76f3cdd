import Foundation
import Spatial

/// Checks the native kernel (`PackedRTree`, `CellIndex` + `PolygonSet`) against GEOS prepared predicates on
/// generated polygons and adversarial points. Used by the unit tests (a quick subset) and by
/// the `verify-kernel` tool (millions of points, release build).
public struct KernelAgreement {
    public struct Report: CustomStringConvertible {
        public var points = 0
        public var comparisons = 0
        public var disagreements: [String] = []
        public var byLocation: [PointLocation: Int] = [:]
        public var description: String {
            let locations = [PointLocation.interior, .boundary, .exterior].map { "\($0): \(byLocation[$0] ?? 0)" }.joined(separator: ", ")
            return "\(points) points, \(comparisons) point/polygon comparisons (\(locations)), \(disagreements.count) disagreements"
        }
    }

    private var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Runs `rounds` rounds; each builds a fresh polygon set and tests `pointsPerRound` points.
    public mutating func run(rounds: Int, pointsPerRound: Int, tolerances: [Double] = [0, 0.001, 0.5, 3]) throws -> Report {
        var report = Report()
        for round in 0..<rounds {
            let members = makeMembers(kind: round % 4)
            let set = PolygonSet(members)
            let tree = PackedRTree(members.indices.map { set.envelope($0) })
            let geos = try members.map { try GeosGeometry(.multiPolygon($0)) }
            let prepared = try geos.map { try PreparedGeometry($0) }
            let boundaries = try geos.map { try PreparedGeometry(try $0.boundary()) }
            let points = makePoints(members, count: pointsPerRound)
            // One cell index per tolerance, as `assign` builds one for its run.
            let cells = tolerances.map { CellIndex(set, tolerance: $0) }
            // A rectangle across the members, as the "edge" of the bulk path (in `assign`, the
            // jurisdiction), with its sides through their interiors.
            let extent = members.indices.reduce(Envelope.empty) { $0.union(set.envelope($1)) }
            let (w, h) = (extent.maxX - extent.minX, extent.maxY - extent.minY)
            let (ex0, ey0, ex1, ey1) = (extent.minX + 0.3 * w, extent.minY + 0.3 * h, extent.maxX - 0.25 * w, extent.maxY - 0.2 * h)
            let edgeRing = [Coordinate(ex0, ey0), Coordinate(ex1, ey0), Coordinate(ex1, ey1), Coordinate(ex0, ey1), Coordinate(ex0, ey0)]
            let edgeSet = PolygonSet([[[edgeRing]]])
            let edgeCells = tolerances.map { CellIndex(edgeSet, tolerance: $0) }
            let edgeGeos = try GeosGeometry(.multiPolygon([[edgeRing]]))
            let (edgePrepared, edgeBoundary) = (try PreparedGeometry(edgeGeos), try PreparedGeometry(try edgeGeos.boundary()))
            let reached = UnsafeMutablePointer<PointReach>.allocate(capacity: members.count)
            defer { reached.deallocate() }
            // Per tolerance, the points and their expected answer with the edge set, to ask
            // again in one call: the bulk path prefetches points ahead of the one it answers.
            var batches = tolerances.map { _ in [(point: Coordinate, sole: Int32)]() }
            for p in points {
                report.points += 1
                let query = Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)
                var found: [Int] = []
                tree.search(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y) { found.append($0) }
                let expected = members.indices.filter { set.envelope($0).intersects(query) }
                if found.sorted() != expected {
                    report.disagreements.append("R-tree at (\(p.x), \(p.y)): found \(found.sorted()), envelopes say \(expected)")
                }
                let point = try GeosGeometry(.point(p))
                let which = Int(random.next() % UInt64(tolerances.count))
                let tolerance = tolerances[which]
                var expectedReach: [String] = []
                for m in members.indices where set.envelope(m).expanded(by: tolerance).contains(p) {
                    report.comparisons += 1
                    let native = set.locate(p.x, p.y, in: m)
                    let reference: PointLocation = prepared[m].contains(point) ? .interior : (prepared[m].covers(point) ? .boundary : .exterior)
                    report.byLocation[native, default: 0] += 1
                    if native != reference {
                        report.disagreements.append("locate (\(p.x), \(p.y)) in member \(m): native \(native), GEOS \(reference)")
                    }
                    let near = set.isNearBoundary(p.x, p.y, of: m, within: tolerance)
                    let referenceNear = boundaries[m].isWithinDistance(tolerance, of: point)
                    if near != referenceNear {
                        report.disagreements.append("within \(tolerance) m of the boundary of member \(m) at (\(p.x), \(p.y)): native \(near)")
                    }
                    // At tolerance 0, "near" means on the boundary exactly (DE-9IM), as the
                    // resolvers decide it, not a distance that rounds to 0.
                    let nearForReach = reference == .boundary || (tolerance > 0 && referenceNear)
                    if reference != .exterior || nearForReach { expectedReach.append("\(m) \(reference) \(nearForReach)") }
                    let d = set.boundaryDistance(p.x, p.y, of: m), reference2 = try boundaries[m].distance(to: point)
                    if d != reference2 {
                        report.disagreements.append("distance to member \(m) at (\(p.x), \(p.y)): native \(d), GEOS \(reference2)")
                    }
                }
                // The bulk path: the one member whose interior, away from its edges, holds the
                // point (else -1); with an edge set, also away from that set's boundary.
                let sole = expectedReach.count == 1 && expectedReach[0].hasSuffix(" \(PointLocation.interior) false")
                    ? Int32(expectedReach[0].split(separator: " ")[0])! : -1
                let edgeNear = tolerance > 0 ? edgeBoundary.isWithinDistance(tolerance, of: point)
                    : edgePrepared.covers(point) && !edgePrepared.contains(point)
                var xs = [p.x], ys = [p.y], out: [Int32] = [0]
                for withEdge in [false, true] {
                    set.storage.soleInteriors(xs: &xs, ys: &ys, count: 1, cells: cells[which].storage,
                                              edge: withEdge ? (edgeSet.storage, edgeCells[which].storage) : nil, into: &out)
                    let expected = withEdge && edgeNear ? -1 : sole
                    if out[0] != expected {
                        report.disagreements.append("sole interior (\(p.x), \(p.y)) at \(tolerance) m\(withEdge ? " with edge" : ""): native \(out[0]), GEOS \(expected)")
                    }
                }
                batches[which].append((p, edgeNear ? -1 : sole))
                // The whole probe, through the cell index built for this tolerance and through the tree.
                for (path, index) in [("cell index", cells[which]), ("R-tree", nil)] as [(String, CellIndex?)] {
                    let n = set.storage.reach(p.x, p.y, tolerance: tolerance, cells: index?.storage, tree: tree.storage, into: reached, room: members.count)
                    let native = (0..<max(n, 0)).map { "\(reached[$0].member) \(reached[$0].location) \(reached[$0].near)" }.sorted()
                    if native != expectedReach.sorted() {
                        report.disagreements.append("reach (\(p.x), \(p.y)) at \(tolerance) m via \(path): native \(native), GEOS \(expectedReach.sorted())")
                    }
                }
            }
            for (which, batch) in batches.enumerated() {
                var xs = batch.map(\.point.x), ys = batch.map(\.point.y), out = [Int32](repeating: -2, count: batch.count)
                set.storage.soleInteriors(xs: &xs, ys: &ys, count: batch.count, cells: cells[which].storage,
                                          edge: (edgeSet.storage, edgeCells[which].storage), into: &out)
                for (k, item) in batch.enumerated() where out[k] != item.sole {
                    report.disagreements.append("sole interior in bulk (\(item.point.x), \(item.point.y)) at \(tolerances[which]) m: native \(out[k]), GEOS \(item.sole)")
                }
            }
        }
        return report
    }

    // MARK: polygons

    private mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(random.next() >> 11) / Double(1 << 53)
    }

    /// 0: a jittered lattice coverage with extra edge vertices (unit grids), rounded to mm;
    /// 1: the same unrounded; 2: star polygons with holes and a multipolygon; 3: axis-aligned rectangles.
    private mutating func makeMembers(kind: Int) -> [[[[Coordinate]]]] {
        let ox = 535_000.0 + uniform(0...1000), oy = 3_491_000.0 + uniform(0...1000)
        switch kind {
        case 0, 1:
            let n = 8, size = 100.0
            var vertex: [[Coordinate]] = []
            for i in 0...n {
                var row: [Coordinate] = []
                for j in 0...n {
                    let edge = i == 0 || j == 0 || i == n || j == n
                    var c = Coordinate(ox + Double(i) * size + (edge ? 0 : uniform(-20...20)), oy + Double(j) * size + (edge ? 0 : uniform(-20...20)))
                    if kind == 0 { c = Coordinate((c.x * 1000).rounded() / 1000, (c.y * 1000).rounded() / 1000) }
                    row.append(c)
                }
                vertex.append(row)
            }
            // One extra vertex on each vertical edge, shared by both neighbours.
            var mid: [[Coordinate]] = []
            for i in 0...n {
                mid.append((0..<n).map { j in
                    let a = vertex[i][j], b = vertex[i][j + 1]
                    let c = Coordinate(a.x + (i == 0 || i == n ? 0 : uniform(-5...5)), (a.y + b.y) / 2)
                    return kind == 0 ? Coordinate((c.x * 1000).rounded() / 1000, (c.y * 1000).rounded() / 1000) : c
                })
            }
            var cells: [[[[Coordinate]]]] = []
            for i in 0..<n {
                for j in 0..<n {
                    let ring = [vertex[i][j], vertex[i + 1][j], mid[i + 1][j], vertex[i + 1][j + 1], vertex[i][j + 1], mid[i][j], vertex[i][j]]
                    cells.append([[ring]])
                }
            }
            return cells
        case 2:
            func star(_ cx: Double, _ cy: Double, _ r: Double, _ k: Int) -> [Coordinate] {
                var ring = (0..<k).map { i -> Coordinate in
                    let a = Double(i) / Double(k) * 2 * .pi
                    let rr = r * (i % 2 == 0 ? 1 : 0.6) * uniform(0.9...1.1)
                    return Coordinate(cx + rr * cos(a), cy + rr * sin(a))
                }
                ring.append(ring[0])
                return ring
            }
            func square(_ cx: Double, _ cy: Double, _ h: Double) -> [Coordinate] {
                [Coordinate(cx - h, cy - h), Coordinate(cx - h, cy + h), Coordinate(cx + h, cy + h), Coordinate(cx + h, cy - h), Coordinate(cx - h, cy - h)]
            }
            return [
                [[star(ox, oy, 300, 400), square(ox, oy, 50)]],
                [[star(ox + 700, oy, 200, 60)], [star(ox + 700, oy + 500, 150, 30)]],
                [[star(ox + 200, oy + 250, 120, 200)]],
            ]
        default:
            return (0..<30).map { _ in
                let x0 = (ox + uniform(0...800)).rounded(), y0 = (oy + uniform(0...800)).rounded()
                let x1 = x0 + uniform(1...200).rounded(), y1 = y0 + uniform(1...200).rounded()
                return [[[Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0)]]]
            }
        }
    }

    // MARK: points

    /// Random points, exact vertices, edge midpoints, points interpolated along edges (a hair
    /// off them after rounding) and vertices nudged by one ulp.
    private mutating func makePoints(_ members: [[[[Coordinate]]]], count: Int) -> [Coordinate] {
        let vertices = members.flatMap { $0.flatMap { $0.flatMap { $0 } } }
        var extent = Envelope(covering: vertices)
        extent = extent.expanded(by: 10)
        var points: [Coordinate] = []
        points.reserveCapacity(count)
        while points.count < count {
            let a = vertices[Int(random.next() % UInt64(vertices.count))]
            let ringMate = vertices[min(vertices.count - 1, Int(random.next() % UInt64(vertices.count)) | 1)]
            switch random.next() % 8 {
            case 0, 1: points.append(Coordinate(uniform(extent.minX...extent.maxX), uniform(extent.minY...extent.maxY)))
            case 2: points.append(a)
            case 3:
                // The midpoint of a real edge: the vertex after `a` in its ring.
                let i = vertices.firstIndex(of: a)!
                let b = vertices[min(i + 1, vertices.count - 1)]
                points.append(Coordinate((a.x + b.x) / 2, (a.y + b.y) / 2))
            case 4:
                let i = vertices.firstIndex(of: a)!
                let b = vertices[min(i + 1, vertices.count - 1)]
                let t = uniform(0...1)
                points.append(Coordinate(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)))
            case 5: points.append(Coordinate(a.x.nextUp, a.y))
            case 6: points.append(Coordinate(a.x, a.y.nextDown))
            default:
                // Along a horizontal or vertical line through a vertex.
                points.append(random.next() % 2 == 0 ? Coordinate(uniform(extent.minX...extent.maxX), a.y) : Coordinate(a.x, ringMate.y))
            }
        }
        return points
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64): the same seed gives
/// the same cases on every machine, so a disagreement can be replayed.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
