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
/// `disputed` (ranges of different owners overlap there), `gap` (on the road, no range),
/// `none` (no road near), `outside` (outside the jurisdiction).
final class RoadResolver {
    let layer: LayerInfo
    private let roads: [RoadDuty.Road]
    private let ranges: [String: [(from: Double, to: Double, party: Party)]]
    private let jurisdiction: PreparedGeometry?

    init(workspace ws: Workspace, layer: LayerInfo, jurisdiction: Geometry?) throws {
        self.layer = layer
        guard let roadLayerName = try ws.meta("roadduty.\(layer.name)") else {
            throw GridKeeperError.workspace("road-duty layer '\(layer.name)' does not say its road layer; import it again")
        }
        roads = try RoadDuty.roads(try ws.layer(named: roadLayerName), workspace: ws)
        var byRoad: [String: [(from: Double, to: Double, party: Party)]] = [:]
        for r in try ws.database.query("SELECT fid, road, from_m, to_m, owner, from_stake || '–' || to_stake FROM \(quoteIdentifier(layer.name))") {
            guard case .integer(let fid) = r[0], let road = r[1].text, let owner = r[4].text,
                  case .real(let from) = r[2], case .real(let to) = r[3] else { continue }
            byRoad[road, default: []].append((from, to, Party(fid: fid, key: owner, code: nil, owner: owner, name: "\(road) \(r[5].text ?? "")")))
        }
        ranges = byRoad
        self.jurisdiction = try jurisdiction.map { try PreparedGeometry(try GeosGeometry($0)) }
    }

    func answer(at p: Coordinate, tolerance: Double, roadTolerance: Double) throws -> LayerAnswer {
        let near = roads.map { ($0, $0.line.project(p)) }.filter { $0.1.distance <= roadTolerance }
            .sorted { $0.1.distance != $1.1.distance ? $0.1.distance < $1.1.distance : codePointOrder($0.0.name, $1.0.name) }
        guard let (road, at) = near.first else {
            let inside = try jurisdiction.map { $0.covers(try GeosGeometry(.point(p))) } ?? true
            return LayerAnswer(layer: layer.name, kind: layer.kind, status: inside ? .none : .outside, primary: nil, candidates: [], distance: nil, fallback: nil)
        }
        // Another road as near as this one (within `tolerance`): a crossing, whose owners are
        // candidates too and make it a boundary.
        let crossing = near.dropFirst().filter { $0.0.name != road.name && $0.1.distance <= at.distance + tolerance }
        var interior = Set<String>(), reach: [String: Party] = [:]
        var nearEdge = !crossing.isEmpty
        for (r, position) in [(road, at)] + crossing {
            let c = r.start + position.measure
            for range in ranges[r.name] ?? [] where range.from - tolerance <= c && c <= range.to + tolerance {
                if let known = reach[range.party.key], known.fid < range.party.fid {} else { reach[range.party.key] = range.party }
                let strictlyInside = range.from + tolerance < c && c < range.to - tolerance
                if strictlyInside && r.name == road.name { interior.insert(range.party.key) } else { nearEdge = true }
            }
        }
        let status: Status = reach.isEmpty ? .gap : StatusRule.decide(
            interiorKeys: interior.count, nearEdge: nearEdge, partial: false,
            nearJurisdictionEdge: { false }, insideJurisdiction: { true })
        let parties = reach.keys.sorted(by: codePointOrder).map { reach[$0]! }
        var answer = LayerAnswer(layer: layer.name, kind: layer.kind, status: status, primary: status.hasParty ? parties.first : nil,
                                 candidates: status.hasParty ? parties : [], distance: at.distance, fallback: nil)
        answer.road = RoadPosition(road: road.name, chainage: road.start + at.measure, distance: at.distance)
        return answer
    }
}
