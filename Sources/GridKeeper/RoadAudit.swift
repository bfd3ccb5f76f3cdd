import Foundation
import Spatial

/// The checks of one road-duty layer, road by road along the stakes: ranges of different
/// owners overlapping (disputes, registered like polygon disputes), ranges of one owner
/// overlapping (duplicate coverage), stretches of a road no range covers (gaps), ranges
/// reaching beyond the road's start or end, stretches where a duty polygon of the same
/// service names another owner than the stakes do, and ranges whose road is gone (the road
/// layer re-imported since). Lengths are metres along the centreline; overlaps and gaps
/// shorter than the sliver width are slivers (notices).
struct RoadAudit {
    let layer: LayerInfo
    let options: Audit.Options
    let toLonLat: CoordinateTransform
    private let resolver: RoadResolver
    private(set) var defects: [Defect] = []

    init(layer: LayerInfo, workspace ws: Workspace, options: Audit.Options, toLonLat: CoordinateTransform) throws {
        self.layer = layer
        self.options = options
        self.toLonLat = toLonLat
        resolver = try RoadResolver(workspace: ws, layer: layer, jurisdiction: nil)
    }

    private mutating func add(_ kind: Defect.Kind, road: RoadDuty.Road, from: Double, to: Double, keys: [String], fids: [Int64],
                              length: Double, at point: Coordinate? = nil, detail: String) {
        let parts = road.line.substring(from: from - road.start, to: to - road.start)
        let geometry: Geometry? = parts.isEmpty ? nil : .multiLineString(parts)
        let anchor = point ?? road.line.point(at: (from + to) / 2 - road.start)
        defects.append(Defect(kind: kind, layer: layer.name, keys: keys, fids: fids, area: 0, length: length,
                              location: anchor.flatMap { try? toLonLat.transform($0) }, geometry: geometry,
                              detail: "\(road.name) \(Stake.format(from))–\(Stake.format(to)) (\(String(format: "%.1f", length)) m): \(detail)"))
    }

    private func isSliver(_ length: Double) -> Bool { length < options.sliverWidth }

    mutating func checkRanges() {
        for (road, range) in resolver.orphans {
            defects.append(Defect(kind: .orphanRange, layer: layer.name, keys: [range.party.key], fids: [range.party.fid], area: 0,
                                  length: range.to - range.from, location: nil, geometry: nil,
                                  detail: "\(road) \(Stake.format(range.from))–\(Stake.format(range.to)) of \(range.party.key): the road layer has no road '\(road)' any more; lookup ignores this range until the stakes are imported again"))
        }
        for (i, road) in resolver.roads.enumerated() {
            let ranges = resolver.ranges[i].sorted { ($0.from, $0.party.fid) < ($1.from, $1.party.fid) }
            let start = road.start, end = road.start + road.line.length
            for (k, a) in ranges.enumerated() {
                // Overlaps with every later range that starts before this one ends.
                for b in ranges[(k + 1)...] where b.from < a.to {
                    let lo = max(a.from, b.from), hi = min(a.to, b.to)
                    guard hi > lo else { continue }
                    let same = a.party.key == b.party.key
                    let kind: Defect.Kind = isSliver(hi - lo) ? .sliverOverlap : (same ? .duplicateCoverage : .dispute)
                    add(kind, road: road, from: lo, to: hi, keys: [a.party.key, b.party.key], fids: [a.party.fid, b.party.fid], length: hi - lo,
                        detail: same ? "\(a.party.key) has this stretch twice" : "\(a.party.key) and \(b.party.key) both claim this")
                }
                // Beyond the road: the part of the range past the centreline's ends.
                for (lo, hi, side) in [(a.from, min(a.to, start), "before the start"), (max(a.from, end), a.to, "after the end")] where hi - lo > options.sliverWidth {
                    let tip = side == "before the start" ? road.line.point(at: 0) : road.line.point(at: road.line.length)
                    defects.append(Defect(kind: .beyondRoad, layer: layer.name, keys: [a.party.key], fids: [a.party.fid], area: 0, length: hi - lo,
                                          location: tip.flatMap { try? toLonLat.transform($0) }, geometry: nil,
                                          detail: "\(road.name) \(Stake.format(a.from))–\(Stake.format(a.to)) of \(a.party.key) reaches \(String(format: "%.1f", hi - lo)) m \(side) of the road (\(Stake.format(start))–\(Stake.format(end)))"))
                }
            }
            // Gaps: the road's stretches outside every range.
            var covered = start
            var before: String?
            for r in ranges {
                if min(r.from, end) > covered { addGap(road, from: covered, to: min(r.from, end), before: before, after: r.party.key) }
                if r.to > covered { covered = r.to; before = r.party.key }
            }
            if end > covered { addGap(road, from: covered, to: end, before: before, after: nil) }
        }
    }

    private mutating func addGap(_ road: RoadDuty.Road, from lo: Double, to hi: Double, before: String?, after: String?) {
        let around = [before.map { "\($0) before" }, after.map { "\($0) after" }].compactMap { $0 }
        add(isSliver(hi - lo) ? .sliverGap : .gap, road: road, from: lo, to: hi, keys: [], fids: [], length: hi - lo,
            detail: "no range covers it" + (around.isEmpty ? "" : "; " + around.joined(separator: ", ")))
    }

    /// Each range against the duty polygons of the same service (a polygon's own service field,
    /// else its layer's): where its stretch runs inside a polygon of another owner (and in none
    /// of its own), the two maps disagree.
    mutating func checkDutyPolygons(_ duties: [(data: LayerData, services: [Int64: String])], minimumLength: Double) throws {
        guard !duties.isEmpty else { return }
        let geos = try duties.map { d in try d.data.geometries().map { try GeosGeometry($0) } }
        // A polygon takes part when its service (its own, else its layer's) is this layer's.
        let service = layer.service ?? ""
        let takesPart = duties.map { d in d.data.parties.map { (d.services[$0.fid] ?? d.data.layer.service ?? "") == service } }
        for (i, road) in resolver.roads.enumerated() {
            for range in resolver.ranges[i] {
                let parts = road.line.substring(from: range.from - road.start, to: range.to - road.start)
                guard !parts.isEmpty else { continue }
                let stretch = try GeosGeometry(.multiLineString(parts))
                let e = Envelope(covering: parts.flatMap { $0 })
                var own: [GeosGeometry] = [], others: [(key: String, layer: String, geometry: GeosGeometry)] = []
                for (l, duty) in duties.enumerated() {
                    let data = duty.data
                    data.tree.search(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY) { m in
                        guard takesPart[l][m], geos[l][m].intersects(stretch) else { return }
                        if data.parties[m].key == range.party.key { own.append(geos[l][m]) } else { others.append((data.parties[m].key, data.layer.name, geos[l][m])) }
                    }
                }
                let ownArea = own.isEmpty ? nil : try GeosGeometry.unaryUnion(own)
                for key in Set(others.map(\.key)).sorted(by: codePointOrder) {
                    let theirs = others.filter { $0.key == key }
                    var piece = try stretch.intersection(try GeosGeometry.unaryUnion(theirs.map(\.geometry)))
                    if let ownArea { piece = try piece.difference(ownArea) }
                    let length = try piece.length()
                    guard length >= minimumLength else { continue }
                    let layers = Set(theirs.map(\.layer)).sorted().joined(separator: ", ")
                    let g = try? piece.geometry()
                    let anchor = g?.coordinates.first
                    defects.append(Defect(kind: .dutyMismatch, layer: layer.name, keys: [range.party.key, key], fids: [range.party.fid], area: 0,
                                          length: length, location: anchor.flatMap { try? toLonLat.transform($0) }, geometry: g,
                                          detail: "\(road.name) \(Stake.format(range.from))–\(Stake.format(range.to)): the stakes say \(range.party.key), "
                                              + "duty layer \(layers) says \(key) for \(String(format: "%.1f", length)) m"))
                }
            }
        }
    }
}
