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
            for k in cells.cell(x, y) {
                guard let r = probe(entry: k, of: cells, x, y) else { continue }
                guard count < room else { return -1 }
                out[count] = r
                count += 1
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

    /// The member of entry k of `cells` as reached from (x, y) at the tolerance the cells were
    /// built for, or nil when the point is outside it and farther than that from its boundary.
    @inline(__always)
    func probe(entry k: Int, of cells: CellIndex.Storage, _ x: Double, _ y: Double) -> PointReach? {
        let entry = cells.entries[k], m = CellIndex.Storage.member(entry)
        // Settled at build time: the whole cell is inside, far from the boundary.
        if CellIndex.Storage.isSettled(entry) { return PointReach(member: Int32(m), location: .interior, near: false) }
        return probe(m, x, y, cells.tolerance)
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

extension PolygonSet.Storage {
    /// The commonest answer, for many points in one call (one call per batch keeps the whole
    /// loop inside this module, where `locate` and the cell lookup inline). For point k:
    /// the member m when m is the only member (xs[k], ys[k]) reaches at the tolerance `cells`
    /// was built for (see `reach`), the point lies in m's interior farther than that tolerance
    /// from m's boundary, and — when `edge` is given (a one-member set with its cells, e.g. a
    /// jurisdiction) — not on or within the tolerance of `edge`'s boundary; else -1, and the
    /// caller asks `reach` for the full answer. Equal to `reach` on every point where it
    /// gives a member (tested).
    public func soleInteriors(xs: UnsafePointer<Double>, ys: UnsafePointer<Double>, count: Int, cells: CellIndex.Storage,
                              edge: (set: PolygonSet.Storage, cells: CellIndex.Storage)?, into out: UnsafeMutablePointer<Int32>) {
        // Unwrapped once, and handed on as plain values: with `edge` in reach, the compiler
        // re-tested it for every point, copying the optional's 209 bytes each time.
        soleInteriors(xs: xs, ys: ys, count: count, cells: cells, checksEdge: edge != nil,
                      edgeSet: edge?.set ?? self, edgeCells: edge?.cells ?? cells, into: out)
    }

    @inline(never)
    private func soleInteriors(xs: UnsafePointer<Double>, ys: UnsafePointer<Double>, count: Int, cells: CellIndex.Storage,
                               checksEdge hasEdge: Bool, edgeSet: PolygonSet.Storage, edgeCells: CellIndex.Storage,
                               into out: UnsafeMutablePointer<Int32>) {
        // Point k + 16's cell is asked for at point k, its entries at k + 10, the records they
        // name at k + 5 (see `CellIndex.Storage.prefetchCell`); `ring` keeps the cell numbers
        // of the points in between.
        let lead = 16, mask = 31
        withUnsafeTemporaryAllocation(of: Int.self, capacity: mask + 1) { ring in
            for k in 0..<Swift.min(count, lead) {
                ring[k] = cells.cellNumber(xs[k], ys[k])
                if ring[k] >= 0 { cells.prefetchCell(ring[k]) }
            }
            for k in 0..<count {
                if k + lead < count {
                    let c = cells.cellNumber(xs[k + lead], ys[k + lead])
                    ring[(k + lead) & mask] = c
                    if c >= 0 { cells.prefetchCell(c) }
                }
                if k + 10 < count, case let c = ring[(k + 10) & mask], c >= 0 { cells.prefetchEntries(c) }
                if k + 5 < count, case let c = ring[(k + 5) & mask], c >= 0 { cells.prefetchRecords(c, in: self) }
                let x = xs[k], y = ys[k]
                var found: Int32 = -1
                for e in cells.entries(ofCell: ring[k & mask]) {
                    guard let r = probe(entry: e, of: cells, x, y) else { continue }
                    if found >= 0 || r.location != .interior || r.near { found = -1; break }
                    found = r.member
                }
                if found >= 0 && hasEdge {
                    // Mostly a settled cell of the edge set (inside, far from its boundary): no call.
                    let r = edgeCells.cell(x, y)
                    if !r.isEmpty && !CellIndex.Storage.isSettled(edgeCells.entries[r.lowerBound]) && edgeSet.place(x, y, cells: edgeCells).near {
                        found = -1
                    }
                }
                out[k] = found
            }
        }
    }

    /// Where (x, y) is with respect to member 0 of a one-member set (a jurisdiction), at the
    /// tolerance `cells` was built for: inside it (interior or boundary), and on or within the
    /// tolerance of its boundary.
    @inline(__always)
    public func place(_ x: Double, _ y: Double, cells: CellIndex.Storage) -> (inside: Bool, near: Bool) {
        // No entry: beyond the member's reach.
        guard let k = cells.cell(x, y).first, let r = probe(entry: k, of: cells, x, y) else { return (false, false) }
        return (r.location != .exterior, r.near)
    }
}
