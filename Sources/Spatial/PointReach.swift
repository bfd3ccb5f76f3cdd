/// A member of a `PolygonSet` that a point reaches: it lies inside it, on its boundary, or
/// within the tolerance of its boundary.
public struct PointReach: Sendable {
    public var member: Int32
    public var location: PointLocation
    /// On the boundary, or within the tolerance of it.
    public var near: Bool
}

extension PolygonSet.Storage {
    /// Every member that (x, y) reaches at tolerance t (≥ 0): `locate != .exterior` or
    /// `isNearBoundary(within: t)`, in no particular order, written to `out`. Candidates come
    /// from `cells` when it was built for t, else from `tree` (the members' envelopes).
    ///
    /// Returns the count, or -1 when more than `room` members are reached (call again with
    /// more room). One call per point keeps the whole probe inside this module, where it inlines.
    public func reach(_ x: Double, _ y: Double, tolerance t: Double, cells: CellIndex.Storage?, tree: PackedRTree.Storage,
                      into out: UnsafeMutablePointer<PointReach>, room: Int) -> Int {
        var count = 0
        if let cells, cells.tolerance == t {
            for entry in cells.entries(x, y) {
                guard count < room else { return -1 }
                if entry & 1 == 1 {
                    // Settled at build time: the whole cell is inside, far from the boundary.
                    out[count] = PointReach(member: Int32(entry >> 1), location: .interior, near: false)
                    count += 1
                } else if let r = probe(Int(entry >> 1), x, y, t) {
                    out[count] = r
                    count += 1
                }
            }
            return count
        }
        var full = false
        tree.search(minX: x - t, minY: y - t, maxX: x + t, maxY: y + t) { m in
            guard let r = probe(m, x, y, t) else { return }
            if count < room { out[count] = r; count += 1 } else { full = true }
        }
        return full ? -1 : count
    }

    /// Member m as reached from (x, y) at tolerance t, or nil when the point is outside it and
    /// farther than t from its boundary.
    @inline(__always)
    func probe(_ m: Int, _ x: Double, _ y: Double, _ t: Double) -> PointReach? {
        let location = locate(x, y, in: m)
        var near = location == .boundary
        if !near && t > 0 { near = isNearBoundary(x, y, of: m, within: t) }
        if location == .exterior && !near { return nil }
        return PointReach(member: Int32(m), location: location, near: near)
    }
}
