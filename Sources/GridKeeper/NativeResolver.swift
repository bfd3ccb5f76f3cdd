import Spatial

/// One layer's answer for one point in bulk form: member indices instead of strings.
struct BulkAnswer {
    var status: Status
    /// Member index of the primary, -1 when none.
    var primary: Int32
    /// Member indices, one per key in code-point order; only for boundary and disputed.
    var candidates: [Int32]
    /// Distance in metres from the point to the primary's polygon.
    var distance: Double
}

/// Answers points for one layer with the native kernel, deciding through the same
/// `StatusRule` as the GEOS resolver. The one case it hands to GEOS: a point on or near the
/// edge of two or more polygons of the same key, where the answer depends on their union.
/// Not Sendable (the fallback holds GEOS objects): one per worker thread.
final class NativeResolver {
    let data: LayerData
    private var fallback: LayerResolver?
    private(set) var fallbackCount = 0

    // Scratch for the candidates of one point, reused to avoid allocation.
    private var members: [Int32] = []
    private var ranks: [Int32] = []
    private var locations: [PointLocation] = []
    private var near: [Bool] = []

    init(_ data: LayerData) {
        self.data = data
        members.reserveCapacity(16); ranks.reserveCapacity(16); locations.reserveCapacity(16); near.reserveCapacity(16)
    }

    func answer(x: Double, y: Double, tolerance t: Double) throws -> BulkAnswer {
        let set = data.polygons
        members.removeAll(keepingCapacity: true); ranks.removeAll(keepingCapacity: true)
        locations.removeAll(keepingCapacity: true); near.removeAll(keepingCapacity: true)
        data.tree.search(minX: x - t, minY: y - t, maxX: x + t, maxY: y + t) { m in
            let location = set.locate(x, y, in: m)
            var isNear = location == .boundary
            if !isNear && t > 0 { isNear = set.isNearBoundary(x, y, of: m, within: t) }
            if location == .exterior && !isNear { return }
            // Insertion by (key rank, member) keeps candidates in answer order.
            var i = members.count
            let rank = data.keyRank[m]
            members.append(0); ranks.append(0); locations.append(.exterior); near.append(false)
            while i > 0 && (ranks[i - 1] > rank || (ranks[i - 1] == rank && members[i - 1] > Int32(m))) {
                members[i] = members[i - 1]; ranks[i] = ranks[i - 1]; locations[i] = locations[i - 1]; near[i] = near[i - 1]
                i -= 1
            }
            members[i] = Int32(m); ranks[i] = rank; locations[i] = location; near[i] = isNear
        }
        var interiorKeys = 0, anyNear = false
        var i = 0
        while i < members.count {
            var j = i, interior = false, groupNear = false
            while j < members.count && ranks[j] == ranks[i] {
                interior = interior || locations[j] == .interior
                groupNear = groupNear || near[j]
                j += 1
            }
            if j - i > 1 && groupNear { return try exact(x: x, y: y, tolerance: t) }
            if interior { interiorKeys += 1 }
            anyNear = anyNear || groupNear
            i = j
        }
        let status = StatusRule.decide(
            interiorKeys: interiorKeys, nearEdge: anyNear, partial: data.layer.partial,
            nearJurisdictionEdge: {
                guard let j = data.jurisdiction else { return false }
                return t > 0 ? j.isNearBoundary(x, y, of: 0, within: t) : j.locate(x, y, in: 0) == .boundary
            },
            insideJurisdiction: { data.jurisdiction.map { $0.locate(x, y, in: 0) != .exterior } ?? true })
        guard status.hasParty, let first = members.first else {
            return BulkAnswer(status: status, primary: -1, candidates: [], distance: .nan)
        }
        var candidates: [Int32] = []
        if status == .boundary || status == .disputed {
            for (k, m) in members.enumerated() where k == 0 || ranks[k] != ranks[k - 1] { candidates.append(m) }
        }
        let distance = locations[0] == .exterior ? set.boundaryDistance(x, y, of: Int(first)) : 0
        return BulkAnswer(status: status, primary: first, candidates: candidates, distance: distance)
    }

    /// The GEOS resolver on the same loaded features.
    private func exact(x: Double, y: Double, tolerance: Double) throws -> BulkAnswer {
        fallbackCount += 1
        if fallback == nil {
            fallback = try LayerResolver(layer: data.layer, provider: LoadedFeatures(data), jurisdiction: data.jurisdictionGeometry)
        }
        let a = try fallback!.answer(at: Coordinate(x, y), tolerance: tolerance)
        let member = { (p: Party) in Int32(self.data.memberByFID[p.fid]!) }
        return BulkAnswer(status: a.status, primary: a.primary.map(member) ?? -1,
                          candidates: a.status == .boundary || a.status == .disputed ? a.candidates.map(member) : [],
                          distance: a.distance ?? .nan)
    }
}
