import Spatial

/// Where a point lies along a road: the answer's extra for road-duty layers.
public struct RoadPosition: Sendable, Equatable {
    public var road: String
    /// Metres from K0+000 (the road's start stake included).
    public var chainage: Double
    public var stake: String { Stake.format(chainage) }
    /// Perpendicular distance from the point to the centreline, metres.
    public var distance: Double
}

/// Answers for a road-duty layer: the nearest road within `roadTolerance`, the chainage, and
/// the owner of the stake range there. Statuses: `inside` (one owner), `boundary` (within
/// `tolerance` metres of a stake where the owner changes or a range ends, or near two roads),
/// `disputed` (ranges of different owners overlap there), `ruled` (such an overlap ruled by
/// the expert group: the ruled owner answers), `gap` (on the road, no range), `none` (no road
/// near), `outside` (outside the jurisdiction).
///
/// Immutable once loaded and free of GEOS objects: one resolver serves every thread.
final class RoadResolver: @unchecked Sendable {
    let layer: LayerInfo
    let roads: [RoadDuty.Road]
    /// The ranges of each road (by index in `roads`).
    let ranges: [[StakeRange]]
    /// Ranges naming a road the road layer no longer has (it was re-imported since): never
    /// answered, reported by audit.
    let orphans: [(road: String, range: StakeRange)]
    /// Every centreline segment, for finding the roads near a point without visiting them all.
    private let segments: PackedRTree
    private let segmentRoad: [Int32]
    private let segmentStart: [Double]
    private let segmentEnds: [(Coordinate, Coordinate)]
    private let jurisdiction: PolygonSet?
    /// Rulings in force: on road `road` between the measures, `owner` answers.
    private let rulings: [(road: Int, from: Double, to: Double, owner: String)]

    struct StakeRange {
        let from: Double, to: Double
        let party: Party
    }

    init(workspace ws: Workspace, layer: LayerInfo, jurisdiction: Geometry?) throws {
        self.layer = layer
        guard let roadLayerName = try ws.meta("roadduty.\(layer.name)") else {
            throw GridKeeperError.workspace("road-duty layer '\(layer.name)' does not say its road layer; import it again")
        }
        let roads = try RoadDuty.roads(try ws.layer(named: roadLayerName), workspace: ws)
        self.roads = roads
        // Ranges name their road as import resolved it: the first road of that name.
        var roadIndex: [String: Int] = [:]
        for (i, r) in roads.enumerated() where roadIndex[r.name] == nil { roadIndex[r.name] = i }
        var byRoad = [[StakeRange]](repeating: [], count: roads.count)
        var rangeByFID: [Int64: (road: Int, range: StakeRange)] = [:]
        var orphans: [(road: String, range: StakeRange)] = []
        for r in try ws.database.query("SELECT fid, road, from_m, to_m, owner, from_stake || '–' || to_stake FROM \(quoteIdentifier(layer.table)) ORDER BY fid") {
            guard case .integer(let fid) = r[0], let road = r[1].text, let owner = r[4].text,
                  case .real(let from) = r[2], case .real(let to) = r[3] else { continue }
            let range = StakeRange(from: from, to: to, party: Party(fid: fid, key: owner, code: nil, owner: owner, name: "\(road) \(r[5].text ?? "")"))
            guard let i = roadIndex[road] else {
                orphans.append((road, range))
                continue
            }
            byRoad[i].append(range)
            rangeByFID[fid] = (i, range)
        }
        ranges = byRoad
        self.orphans = orphans
        var envelopes: [Envelope] = [], owners: [Int32] = [], starts: [Double] = [], ends: [(Coordinate, Coordinate)] = []
        for (i, road) in roads.enumerated() {
            road.line.forEachSegment { a, b, start in
                envelopes.append(Envelope(covering: [a, b]))
                owners.append(Int32(i))
                starts.append(start)
                ends.append((a, b))
            }
        }
        segments = PackedRTree(envelopes)
        segmentRoad = owners
        segmentStart = starts
        segmentEnds = ends
        self.jurisdiction = jurisdiction.map { PolygonSet([$0.polygons]) }
        // A ruled dispute names the overlapping ranges: the ruling holds where they all overlap.
        rulings = try DisputeRegister.rulingParties(layer: layer.name, workspace: ws).compactMap { ruling in
            let parts = ruling.fids.compactMap { rangeByFID[$0] }
            guard let first = parts.first, parts.count == ruling.fids.count, parts.allSatisfy({ $0.road == first.road }) else { return nil }
            let from = parts.map(\.range.from).max()!, to = parts.map(\.range.to).min()!
            return from < to ? (first.road, from, to, ruling.owner) : nil
        }
    }

    /// The extent of the centrelines.
    var extent: Envelope {
        segmentEnds.reduce(Envelope.empty) { $0.union(Envelope(covering: [$1.0, $1.1])) }
    }

    /// The roads within `roadTolerance` of p, nearest first (ties by name), with the measure
    /// and distance of their nearest point — the same values as `LinearReference.project`.
    func nearRoads(_ p: Coordinate, within roadTolerance: Double) -> [(road: Int, measure: Double, distance: Double)] {
        var best: [Int: (measure: Double, distance: Double)] = [:]
        segments.search(minX: p.x - roadTolerance, minY: p.y - roadTolerance, maxX: p.x + roadTolerance, maxY: p.y + roadTolerance) { s in
            let (a, b) = segmentEnds[s]
            let r = LinearReference.project(p, a, b, start: segmentStart[s])
            let road = Int(segmentRoad[s])
            // project() keeps the first segment in route order among equal distances: the smaller measure.
            if let known = best[road], !(r.distance < known.distance || (r.distance == known.distance && r.measure < known.measure)) { return }
            best[road] = r
        }
        return best.filter { $0.value.distance <= roadTolerance }.map { (road: $0.key, measure: $0.value.measure, distance: $0.value.distance) }
            .sorted { $0.distance != $1.distance ? $0.distance < $1.distance : codePointOrder(roads[$0.road].name, roads[$1.road].name) }
    }

    func answer(at p: Coordinate, tolerance: Double, roadTolerance: Double) -> LayerAnswer {
        let near = nearRoads(p, within: roadTolerance)
        guard let nearest = near.first else {
            let inside = jurisdiction.map { $0.locate(p.x, p.y, in: 0) != .exterior } ?? true
            return LayerAnswer(layer: layer.name, kind: layer.kind, status: inside ? .none : .outside, primary: nil, candidates: [], distance: nil, fallback: nil)
        }
        let road = roads[nearest.road]
        // Another road as near as this one (within `tolerance`): a crossing, whose owners are
        // candidates too and make it a boundary.
        let crossing = near.dropFirst().filter { roads[$0.road].name != road.name && $0.distance <= nearest.distance + tolerance }
        var interior = Set<String>(), reach: [String: Party] = [:]
        var nearEdge = !crossing.isEmpty
        for position in [nearest] + crossing {
            let r = roads[position.road]
            let c = r.start + position.measure
            for range in ranges[position.road] where range.from - tolerance <= c && c <= range.to + tolerance {
                if let known = reach[range.party.key], known.fid < range.party.fid {} else { reach[range.party.key] = range.party }
                let strictlyInside = range.from + tolerance < c && c < range.to - tolerance
                if strictlyInside && position.road == nearest.road { interior.insert(range.party.key) } else { nearEdge = true }
            }
        }
        var status: Status = reach.isEmpty ? .gap : StatusRule.decide(
            interiorKeys: interior.count, nearEdge: nearEdge, partial: false,
            nearJurisdictionEdge: { false }, insideJurisdiction: { true })
        let parties = reach.keys.sorted(by: codePointOrder).map { reach[$0]! }
        var primary = status.hasParty ? parties.first : nil
        let chainage = road.start + nearest.measure
        if status == .disputed, let ruling = rulings.first(where: { $0.road == nearest.road && $0.from <= chainage && chainage <= $0.to && reach[$0.owner] != nil }) {
            status = .ruled
            primary = reach[ruling.owner]
        }
        var answer = LayerAnswer(layer: layer.name, kind: layer.kind, status: status, primary: primary,
                                 candidates: status.hasParty ? parties : [], distance: nearest.distance, fallback: nil)
        answer.road = RoadPosition(road: road.name, chainage: chainage, distance: nearest.distance)
        return answer
    }
}
