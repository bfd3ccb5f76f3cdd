/// Where polygons may fail to cover an area exactly, found from their edges alone: boxes
/// around the clusters of edges that no other edge cancels.
///
/// Polygons that tile an area (a duty layer over the jurisdiction) hold each inner edge twice,
/// once in each direction (interiors on the left: shells counter-clockwise, holes clockwise),
/// and each edge on the area's boundary once, the way the area holds it. Every edge is paired
/// off with its reverse, the area's edges reversed, coordinates compared exactly. What is left
/// bounds every gap: a stretch of a gap's boundary with a polygon's interior on its other side
/// is an edge of that polygon whose reverse no polygon holds (else that polygon would cover the
/// gap's side), and a stretch on the area's boundary is an area edge no polygon holds. So each
/// gap lies inside the envelope of the left edges it is bounded by; and where a gap's boundary
/// passes from one left edge to the next, the two meet (at a vertex or a crossing), so their
/// envelopes meet. Left edges whose envelopes meet, directly or through others, form one
/// cluster: each gap lies within one cluster's envelope. Overlaps, vertices one neighbour lacks
/// and duplicates leave edges too (more clusters, never fewer).
public enum UncancelledEdges {
    /// The envelopes of the clusters of left edges of `polygons` (each a member's polygons:
    /// rings, shell first) and of `area`'s boundary, each grown by `margin` and merged with the
    /// others it then meets: disjoint boxes, every gap of `polygons` in `area` inside one.
    /// Nil when more than `limit` edges, or clusters, are left (the polygons are far from a
    /// tiling: the caller does without boxes).
    public static func boxes(_ polygons: [[[[Coordinate]]]], area: [[[Coordinate]]], margin: Double, limit: Int) -> [Envelope]? {
        var left: [DirectedEdge: Int] = [:]
        func add(_ ring: [Coordinate], forward: Bool) {
            for k in 0..<(ring.count - 1) {
                let a = ring[forward ? k : k + 1], b = ring[forward ? k + 1 : k]
                guard a != b else { continue }
                let reverse = DirectedEdge(b, a)
                if let n = left[reverse] {
                    left[reverse] = n > 1 ? n - 1 : nil
                } else {
                    left[DirectedEdge(a, b), default: 0] += 1
                }
            }
        }
        func addPolygon(_ rings: [[Coordinate]], reversed: Bool) {
            for (i, ring) in rings.enumerated() where ring.count >= 2 {
                // Interior on the left: a shell counter-clockwise, a hole clockwise.
                let counterClockwise = Orientation.signedArea(ring) > 0
                add(ring, forward: (counterClockwise == (i == 0)) != reversed)
            }
        }
        for member in polygons { for polygon in member { addPolygon(polygon, reversed: false) } }
        for polygon in area { addPolygon(polygon, reversed: true) }
        let count = left.values.reduce(0, +)
        guard count <= limit else { return nil }

        // Clusters: a sweep along x over the edges' envelopes, joining those that meet.
        let envelopes = left.keys.map { $0.envelope }.sorted { $0.minX < $1.minX }
        var parent = Array(0..<envelopes.count)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        var active: [Int] = []
        for (i, e) in envelopes.enumerated() {
            active.removeAll { envelopes[$0].maxX < e.minX }
            for j in active where envelopes[j].minY <= e.maxY && envelopes[j].maxY >= e.minY { parent[root(i)] = root(j) }
            active.append(i)
        }
        var clusters: [Int: Envelope] = [:]
        for (i, e) in envelopes.enumerated() { clusters[root(i), default: .empty] = clusters[root(i), default: .empty].union(e) }
        // The merging below compares every pair of boxes.
        guard clusters.count <= 1_000 else { return nil }

        // Grown, then merged until no two meet (a gap is then inside exactly one box).
        var boxes = clusters.values.map { $0.expanded(by: margin) }
        var merged = true
        while merged {
            merged = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i && boxes[i].intersects(boxes[j]) {
                    boxes[i] = boxes[i].union(boxes[j])
                    boxes.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        return boxes.sorted { ($0.minX, $0.minY) < ($1.minX, $1.minY) }
    }

    /// An edge from a to b, its coordinates compared bit for bit (0 and -0 as one).
    private struct DirectedEdge: Hashable {
        let ax: Double, ay: Double, bx: Double, by: Double
        init(_ a: Coordinate, _ b: Coordinate) {
            ax = a.x + 0; ay = a.y + 0; bx = b.x + 0; by = b.y + 0
        }
        var envelope: Envelope {
            Envelope(minX: Swift.min(ax, bx), minY: Swift.min(ay, by), maxX: Swift.max(ax, bx), maxY: Swift.max(ay, by))
        }
    }
}
