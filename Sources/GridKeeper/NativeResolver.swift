import Spatial

/// One layer's answer for one point in bulk form: member indices instead of strings. A plain
/// value (no references), so storing millions of them is a memory copy.
struct BulkAnswer {
    var status: Status
    /// Member index of the primary, -1 when none.
    var primary: Int32
    /// Whether candidates exist (boundary and disputed); the list itself is kept beside the
    /// answer (`NativeResolver.candidates`, then in a worker's `CandidatePool`).
    var hasCandidates: Bool
    /// Where the candidates start in the pool of the worker that answered (see `CandidatePool`).
    var candidateStart: Int32 = 0
    var candidateCount: Int32 = 0
    /// Distance in metres from the point to the primary's polygon.
    var distance: Double

    static let none = BulkAnswer(status: .outside, primary: -1, hasCandidates: false, distance: .nan)
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

    /// Scratch for the hits of one point: a raw buffer, so the hot loop pays no exclusivity
    /// checks or reference counting; grown in the rare case of very many hits.
    private var hits: UnsafeMutablePointer<Hit>
    private var capacity = 64

    init(_ data: LayerData) {
        self.data = data
        hits = .allocate(capacity: capacity)
    }

    deinit { hits.deallocate() }

    func answer(x: Double, y: Double, tolerance t: Double) throws -> BulkAnswer {
        let set = data.polygons
        let ranks = data.keyRank
        var buffer = hits, room = capacity, count = 0
        var overflow = false
        data.tree.search(minX: x - t, minY: y - t, maxX: x + t, maxY: y + t) { m in
            let location = set.locate(x, y, in: m)
            var isNear = location == .boundary
            if !isNear && t > 0 { isNear = set.isNearBoundary(x, y, of: m, within: t) }
            if location == .exterior && !isNear { return }
            if count == room { overflow = true; return }
            // Insertion by (key rank, member) keeps hits in answer order.
            let hit = Hit(member: Int32(m), rank: ranks[m], location: location, near: isNear)
            var i = count
            while i > 0 && (buffer[i - 1].rank > hit.rank || (buffer[i - 1].rank == hit.rank && buffer[i - 1].member > hit.member)) {
                buffer[i] = buffer[i - 1]
                i -= 1
            }
            buffer[i] = hit
            count += 1
        }
        if overflow {
            hits.deallocate()
            capacity *= 4
            hits = .allocate(capacity: capacity)
            buffer = hits; room = capacity
            return try answer(x: x, y: y, tolerance: t)
        }
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
        let jurisdiction = data.jurisdiction
        var status = StatusRule.decide(
            interiorKeys: interiorKeys, nearEdge: anyNear, partial: data.layer.partial,
            nearJurisdictionEdge: {
                guard let j = jurisdiction else { return false }
                return t > 0 ? j.isNearBoundary(x, y, of: 0, within: t) : j.locate(x, y, in: 0) == .boundary
            },
            insideJurisdiction: { jurisdiction.map { $0.locate(x, y, in: 0) != .exterior } ?? true })
        guard status.hasParty, count > 0 else {
            return BulkAnswer(status: status, primary: -1, hasCandidates: false, distance: .nan)
        }
        let listed = status == .boundary || status == .disputed || status == .ruled
        if listed {
            candidates.removeAll(keepingCapacity: true)
            for k in 0..<count where k == 0 || buffer[k].rank != buffer[k - 1].rank { candidates.append(buffer[k].member) }
        }
        var first = buffer[0]
        if status == .disputed && !data.rulings.isEmpty {
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

    /// The GEOS resolver on the same loaded features.
    private func exact(x: Double, y: Double, tolerance: Double) throws -> BulkAnswer {
        fallbackCount += 1
        if fallback == nil {
            fallback = try LayerResolver(layer: data.layer, provider: LoadedFeatures(data), jurisdiction: data.jurisdictionGeometry)
        }
        let a = try fallback!.answer(at: Coordinate(x, y), tolerance: tolerance)
        let member = { (p: Party) in Int32(self.data.memberByFID[p.fid]!) }
        let listed = a.status == .boundary || a.status == .disputed || a.status == .ruled
        if listed { candidates = a.candidates.map(member) }
        return BulkAnswer(status: a.status, primary: a.primary.map(member) ?? -1, hasCandidates: listed, distance: a.distance ?? .nan)
    }
}
