import Spatial

/// One layer's answer for one point in bulk form: member indices instead of strings. A plain
/// value (no references), so storing millions of them is a memory copy.
struct BulkAnswer {
    // Widest first: 24 bytes a point and layer (40 in declaration order by meaning).
    /// Distance in metres from the point to the primary's polygon.
    var distance: Double
    /// Member index of the primary, -1 when none.
    var primary: Int32
    /// Where the candidates start in the pool of the worker that answered (see `CandidatePool`).
    var candidateStart: Int32 = 0
    var candidateCount: Int32 = 0
    var status: Status
    /// Whether candidates exist (boundary and disputed); the list itself is kept beside the
    /// answer (`NativeResolver.candidates`, then in a worker's `CandidatePool`).
    var hasCandidates: Bool

    init(status: Status, primary: Int32, hasCandidates: Bool, distance: Double) {
        self.status = status
        self.primary = primary
        self.hasCandidates = hasCandidates
        self.distance = distance
    }
}

/// Answers points for one layer with the native kernel, deciding through the same
/// `StatusRule` as the GEOS resolver. The one case it hands to GEOS: a point on or near the
/// edge of two or more polygons of the same key, where the answer depends on their union.
/// Not Sendable (the fallback holds GEOS objects): one per worker thread.
final class NativeResolver {
    let data: LayerData
    private var fallback: LayerResolver?
    private(set) var fallbackCount = 0
    /// The candidates of the last answer with `hasCandidates`: member indices, one per key in
    /// code-point order.
    private(set) var candidates: [Int32] = []

    /// One polygon that reaches the point.
    private struct Hit {
        var member: Int32
        var rank: Int32
        var location: PointLocation
        var near: Bool
    }

    /// The hits of one point in answer order, in scratch memory owned by the resolver (as
    /// large as `reached`, so every reached member fits).
    private struct HitList {
        let buffer: UnsafeMutablePointer<Hit>
        var count = 0

        init(buffer: UnsafeMutablePointer<Hit>) { self.buffer = buffer }

        /// Insertion by (key rank, member) keeps hits in answer order.
        @inline(__always)
        mutating func add(_ hit: Hit) {
            var i = count
            while i > 0 && (buffer[i - 1].rank > hit.rank || (buffer[i - 1].rank == hit.rank && buffer[i - 1].member > hit.member)) {
                buffer[i] = buffer[i - 1]
                i -= 1
            }
            buffer[i] = hit
            count += 1
        }
    }

    /// Scratch for the hits of one point: a raw buffer, so the hot loop pays no exclusivity
    /// checks or reference counting; grown in the rare case of very many hits.
    private var hits: UnsafeMutablePointer<Hit>
    private var capacity = 64
    /// What the kernel reports, before ordering.
    private var reached: UnsafeMutablePointer<PointReach>

    /// The layer's arrays as plain values, copied once: the hot loop then touches no shared
    /// object's reference count (both workers retaining one object made its count's cache
    /// line bounce between the cores).
    private let set: PolygonSet.Storage
    private let tree: PackedRTree.Storage
    private let ranks: UnsafeMutableBufferPointer<Int32>
    /// The jurisdiction (one member) and its cells; empty stand-ins when the layer has none.
    /// Not optionals: unwrapping one copies the whole struct on every call, and this is
    /// asked for nearly every point.
    private let hasJurisdiction: Bool
    private let jurisdiction: PolygonSet.Storage
    private let jurisdictionCells: CellIndex.Storage
    /// The jurisdiction's cells were built (for the index's tolerance).
    private let hasJurisdictionCells: Bool
    private let partial: Bool
    private let hasRulings: Bool

    /// Answers at the index's tolerance come from its cells; any other tolerance from the tree.
    private let cells: CellIndex.Storage?
    /// Keeps the indexes whose storage `cells` and `jurisdictionCells` view alive.
    private let index: LayerIndex?
    private static let none = (set: PolygonSet([]), cells: CellIndex(PolygonSet([]), tolerance: 0))

    init(_ data: LayerData, index: LayerIndex? = nil) {
        self.data = data
        cells = index?.cells.storage
        hasJurisdictionCells = index?.jurisdictionCells != nil
        jurisdictionCells = (index?.jurisdictionCells ?? Self.none.cells).storage
        self.index = index
        hits = .allocate(capacity: capacity)
        reached = .allocate(capacity: capacity)
        set = data.polygons.storage
        tree = data.tree.storage
        ranks = .allocate(capacity: max(data.keyRank.count, 1))
        _ = ranks.initialize(from: data.keyRank)
        hasJurisdiction = data.jurisdiction != nil
        jurisdiction = (data.jurisdiction ?? Self.none.set).storage
        partial = data.layer.partial
        hasRulings = !data.rulings.isEmpty
    }

    deinit {
        hits.deallocate()
        reached.deallocate()
        ranks.deallocate()
    }

    func answer(x: Double, y: Double, tolerance t: Double) throws -> BulkAnswer {
        let ranks = self.ranks
        let n = set.reach(x, y, tolerance: t, cells: cells, tree: tree, into: reached, room: capacity)
        if n < 0 {
            // More polygons reach the point than the scratch holds (rare): grow and ask again.
            hits.deallocate()
            reached.deallocate()
            capacity *= 4
            hits = .allocate(capacity: capacity)
            reached = .allocate(capacity: capacity)
            return try answer(x: x, y: y, tolerance: t)
        }
        // Most points lie inside exactly one polygon, away from every edge: the general rule
        // below gives `inside` with that polygon as primary (or `boundary` at the jurisdiction's edge).
        if n == 1 && reached[0].location == .interior && !reached[0].near && !jurisdictionPlace(x, y, t).nearEdge {
            return BulkAnswer(status: .inside, primary: reached[0].member, hasCandidates: false, distance: 0)
        }
        var list = HitList(buffer: hits)
        for k in 0..<n {
            let r = reached[k]
            list.add(Hit(member: r.member, rank: ranks[Int(r.member)], location: r.location, near: r.near))
        }
        let buffer = list.buffer, count = list.count
        var interiorKeys = 0, anyNear = false
        var i = 0
        while i < count {
            var j = i, interior = false, groupNear = false
            while j < count && buffer[j].rank == buffer[i].rank {
                interior = interior || buffer[j].location == .interior
                groupNear = groupNear || buffer[j].near
                j += 1
            }
            if j - i > 1 && groupNear { return try exact(x: x, y: y, tolerance: t) }
            if interior { interiorKeys += 1 }
            anyNear = anyNear || groupNear
            i = j
        }
        var status = StatusRule.decide(
            interiorKeys: interiorKeys, nearEdge: anyNear, partial: partial,
            nearJurisdictionEdge: { jurisdictionPlace(x, y, t).nearEdge },
            insideJurisdiction: { jurisdictionPlace(x, y, t).inside })
        guard status.hasParty, count > 0 else {
            return BulkAnswer(status: status, primary: -1, hasCandidates: false, distance: .nan)
        }
        let listed = status == .boundary || status == .disputed || status == .ruled
        if listed {
            candidates.removeAll(keepingCapacity: true)
            for k in 0..<count where k == 0 || buffer[k].rank != buffer[k - 1].rank { candidates.append(buffer[k].member) }
        }
        var first = buffer[0]
        if status == .disputed && hasRulings {
            // A ruling covering the point names who answers, if that owner is among the parties.
            for (r, ruling) in data.rulings.enumerated() where data.rulingAreas.locate(x, y, in: r) != .exterior {
                if let k = (0..<count).first(where: { data.parties[Int(buffer[$0].member)].key == ruling.owner }) {
                    status = .ruled
                    first = buffer[k]
                    break
                }
            }
        }
        let distance = first.location == .exterior ? set.boundaryDistance(x, y, of: Int(first.member)) : 0
        return BulkAnswer(status: status, primary: first.member, hasCandidates: listed, distance: distance)
    }

    /// The commonest answer (`inside` one polygon, away from every edge) for many points at
    /// once: `out[k]` is that polygon, or -1 where `answer` must be asked. False (nothing
    /// written) when the cell index was not built for this tolerance.
    func soleInteriors(xs: UnsafePointer<Double>, ys: UnsafePointer<Double>, count: Int, tolerance t: Double,
                       into out: UnsafeMutablePointer<Int32>) -> Bool {
        guard let cells, cells.tolerance == t, !hasJurisdiction || (hasJurisdictionCells && jurisdictionCells.tolerance == t) else { return false }
        set.soleInteriors(xs: xs, ys: ys, count: count, cells: cells,
                          edge: hasJurisdiction ? (jurisdiction, jurisdictionCells) : nil, into: out)
        return true
    }

    /// Where (x, y) is with respect to the jurisdiction (none known: inside, far from its edge).
    /// `nearEdge` is on its boundary at tolerance 0, within t of it otherwise.
    @inline(__always)
    private func jurisdictionPlace(_ x: Double, _ y: Double, _ t: Double) -> (inside: Bool, nearEdge: Bool) {
        guard hasJurisdiction else { return (true, false) }
        if hasJurisdictionCells && jurisdictionCells.tolerance == t {
            let place = jurisdiction.place(x, y, cells: jurisdictionCells)
            return (place.inside, place.near)
        }
        let location = jurisdiction.locate(x, y, in: 0)
        let near = t > 0 ? jurisdiction.isNearBoundary(x, y, of: 0, within: t) : location == .boundary
        return (location != .exterior, near)
    }

    /// The GEOS resolver on the same loaded features.
    private func exact(x: Double, y: Double, tolerance: Double) throws -> BulkAnswer {
        fallbackCount += 1
        if fallback == nil {
            fallback = try LayerResolver(layer: data.layer, provider: LoadedFeatures(data), jurisdiction: data.jurisdictionGeometry, rulings: data.rulings)
        }
        let a = try fallback!.answer(at: Coordinate(x, y), tolerance: tolerance)
        let member = { (p: Party) in Int32(self.data.member(fid: p.fid)!) }
        let listed = a.status == .boundary || a.status == .disputed || a.status == .ruled
        if listed { candidates = a.candidates.map(member) }
        return BulkAnswer(status: a.status, primary: a.primary.map(member) ?? -1, hasCandidates: listed, distance: a.distance ?? .nan)
    }
}
