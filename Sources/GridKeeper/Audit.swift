import Foundation
import Spatial

/// `gridkeeper audit`: overlaps between owners (disputes), duplicate coverage, gaps, slivers,
/// invalid or duplicate geometry, multiparts, and for grid layers codes, areas and grids that
/// cross community boundaries. Topology is GEOS (intersection, difference, union); candidate
/// pairs come from the packed R-tree.
public enum Audit {
    public struct Options: Sendable {
        /// Layers to audit; empty = every grid and duty layer.
        public var layers: [String] = []
        /// Overlaps and gaps below this area (m²) are slivers.
        public var sliverArea = 1.0
        /// …or thinner than this (m): width ≈ 2 × area / perimeter.
        public var sliverWidth = 0.1
        /// An area layer whose union replaces the jurisdiction for this run.
        public var within: String?
        /// Grid areas outside this range (m²) are reported.
        public var gridAreaRange: ClosedRange<Double> = 1_000...100_000
        /// Road duty: a stretch where a duty polygon of the same service names another owner
        /// than the stakes is reported from this length on (metres of centreline).
        public var mismatchLength = 5.0
        /// Update the dispute register (gk_disputes) with what was found.
        public var register = true
        /// Skip the overlay of a pair whose shared edges prove their interiors disjoint
        /// (`InteriorsDisjoint`); tests turn it off to hold the findings to GEOS alone.
        var skipsProvenNeighbours = true
        /// How the gap check finds what the layer leaves uncovered (see `LayerAudit.checkGaps`);
        /// tests choose each to compare it with the others.
        var gapMethod = GapMethod.boxesOrHalves
        public var commandLine = ""
        public init() {}
    }

    enum GapMethod {
        /// Box by box where edges are left over (`UncancelledEdges`), else as `halves`.
        case boxesOrHalves
        /// Box by box only: a layer the boxes do not serve is an error (for tests).
        case boxes
        /// The jurisdiction minus the union of the west half, minus the union of the east half
        /// (made on another core).
        case halves
        /// The jurisdiction minus the union of the whole layer.
        case whole
    }

    public struct Report: Sendable {
        public var layers: [LayerInfo] = []
        public var defects: [Defect] = []
        public var workspaceCRS: CRS = .wgs84
        /// The register after this run: new, still open, gone.
        public var registered = DisputeRegister.SyncResult()
        /// The register's entry of each dispute found, by id (its state and ruling), after this
        /// run's update; empty for disputes a run without `register` finds for the first time.
        public var register: [String: DisputeRegister.Entry] = [:]
        /// Findings that are not notices.
        public var findingCount: Int { defects.filter { !$0.kind.isNotice }.count }
    }

    /// The same area (or stretch) disputed by the same owners is one defect, even when it comes
    /// from several pairs of features (a duplicated polygon overlapping a third).
    private static func distinct(_ defects: [Defect]) -> [Defect] {
        var seen = Set<String>()
        return defects.filter { seen.insert($0.id).inserted }
    }

    public static func run(_ o: Options, workspace ws: Workspace) throws -> Report {
        guard let crs = try ws.crs() else { throw GridKeeperError.workspace("\(ws.path) has no layers yet") }
        let all = try ws.layers()
        let names = o.layers.isEmpty ? all.filter { $0.kind == .grid || $0.kind == .duty || $0.kind == .roadduty }.map(\.name) : o.layers
        let infos = try names.map { name -> LayerInfo in
            let l = try ws.layer(named: name)
            guard l.kind.geometryFamily == .polygon || l.kind == .roadduty else {
                throw GridKeeperError.usage("layer '\(name)' is a \(l.kind.rawValue) layer; audit checks polygon and road-duty layers")
            }
            return l
        }
        guard !infos.isEmpty else { throw GridKeeperError.usage("nothing to audit: the workspace has no grid, duty or road-duty layer") }
        let within: Geometry?
        if let name = o.within {
            let l = try ws.layer(named: name)
            guard l.kind == .area else { throw GridKeeperError.usage("--within takes an area layer; '\(name)' is a \(l.kind.rawValue) layer") }
            within = try ws.coverage(layer: name)
        } else {
            within = try ws.jurisdictionLayer().flatMap { try ws.coverage(layer: $0.name) }
        }
        // PROJ takes milliseconds to load and to make a transform, GEOS to load: the main
        // thread's transform and the gap checks' (one thread at a time) are made, and GEOS is
        // loaded, on other cores while the layers load.
        let lonLat = BackgroundValue { Result { try LayerImport.transform(from: crs, to: .wgs84) } }
        let gapsLonLat = BackgroundValue { Result { try LayerImport.transform(from: crs, to: .wgs84) } }
        _ = BackgroundValue { GEOSLibrary.load() }
        let finest = all.filter { $0.kind == .area && !$0.jurisdiction }.max { $0.featureCount < $1.featureCount }
        var report = Report(layers: infos, workspaceCRS: crs)
        try ws.read {
            for info in infos {
                if info.kind == .roadduty {
                    var audit = try RoadAudit(layer: info, workspace: ws, options: o, toLonLat: try lonLat.value.get())
                    audit.checkRanges()
                    // Duty polygons of the same service (their own, else their layer's) are the
                    // other map of the same duty.
                    let duties = try all.filter { $0.kind == .duty }.map { d in
                        (data: try LayerData(workspace: ws, layer: d, jurisdiction: nil), services: try ws.featureServices(of: d))
                    }
                    try audit.checkDutyPolygons(duties, minimumLength: o.mismatchLength)
                    report.defects += distinct(audit.defects)
                    continue
                }
                let data = try LayerData(workspace: ws, layer: info, jurisdiction: nil)
                // The gaps (a union of the whole layer) are found on another core while this
                // one checks the geometries and the overlaps; each thread has its own GEOS objects.
                let isJurisdiction = try ws.jurisdictionLayer()?.name == info.name && o.within == nil
                let gaps = !info.partial && !isJurisdiction ? within.map { within in
                    BackgroundValue { Result { () throws -> [Defect] in
                        var audit = try LayerAudit(data: data, options: o, toLonLat: try gapsLonLat.value.get())
                        try audit.checkGaps(within: within)
                        return audit.defects
                    } }
                } : nil
                var audit = try LayerAudit(data: data, options: o, toLonLat: try lonLat.value.get())
                try audit.checkGeometry()
                try audit.checkOverlaps()
                if let gaps { audit.append(try gaps.value.get()) }
                if info.kind == .grid {
                    audit.checkCodes()
                    if let finest { try audit.checkNesting(in: LayerData(workspace: ws, layer: finest, jurisdiction: nil)) }
                }
                report.defects += distinct(audit.defects)
            }
            for info in infos {
                report.defects += try RepairRegister.defects(layer: info.name, workspace: ws, toLonLat: try lonLat.value.get())
            }
        }
        if o.register {
            report.registered = try DisputeRegister.sync(report.defects.filter { $0.kind == .dispute }, layers: infos.map(\.name), workspace: ws, commandLine: o.commandLine)
        }
        let found = Set(report.defects.filter { $0.kind == .dispute }.map(\.id))
        for e in try DisputeRegister.list(workspace: ws) where found.contains(e.id) { report.register[e.id] = e }
        return report
    }
}

/// The checks of one layer.
struct LayerAudit {
    let data: LayerData
    let options: Audit.Options
    let toLonLat: CoordinateTransform
    private(set) var defects: [Defect] = []
    private let geometries: [Geometry]
    private let geos: [GeosGeometry]
    /// Which members GEOS finds valid (set by `checkGeometry`): only valid pairs can be proven apart.
    private var valid: [Bool]

    init(data: LayerData, options: Audit.Options, toLonLat: CoordinateTransform) throws {
        self.data = data
        self.options = options
        self.toLonLat = toLonLat
        geometries = try data.geometries()
        // Indexed like the members: a geometry GEOS cannot build (import never stores one) is
        // an error here, not a gap that would shift every later member's index.
        geos = try geometries.map { try GeosGeometry($0) }
        valid = Array(repeating: false, count: geometries.count)
    }

    private var layer: String { data.layer.name }

    /// Layers with fewer members are unioned in one piece: a thread is not worth it.
    static let splitGapsFrom = 8
    /// How near a member must come to a gap to border it, in metres.
    static let borderReach = 0.01

    /// Findings made by another audit of the same layer (on another thread), after these.
    mutating func append(_ found: [Defect]) { defects += found }

    private func location(_ g: GeosGeometry) -> Coordinate? {
        guard let p = try? g.pointOnSurface().geometry(), case .point(let c) = p else { return nil }
        return try? toLonLat.transform(c)
    }

    private func isSliver(area: Double, length: Double) -> Bool {
        area < options.sliverArea || (length > 0 && 2 * area / length < options.sliverWidth)
    }

    private mutating func add(_ kind: Defect.Kind, keys: [String], fids: [Int64], area: Double, geometry: GeosGeometry?, at point: Coordinate? = nil, detail: String) {
        let lonLat = geometry.flatMap(location) ?? point.flatMap { try? toLonLat.transform($0) }
        defects.append(Defect(kind: kind, layer: layer, keys: keys, fids: fids, area: area, location: lonLat,
                              geometry: try? geometry?.geometry(), detail: detail))
    }

    mutating func checkGeometry() throws {
        for (m, g) in geos.enumerated() {
            let p = data.parties[m]
            let problem = g.validityProblem()
            valid[m] = problem == nil
            if let problem {
                add(.invalidGeometry, keys: [p.key], fids: [p.fid], area: 0, geometry: nil, at: problem.location, detail: problem.reason)
            }
            let parts = geometries[m].polygons.count
            if parts > 1 {
                add(.multipart, keys: [p.key], fids: [p.fid], area: try g.area(), geometry: g, detail: "\(parts) parts")
            }
        }
    }

    /// Every pair whose envelopes meet is intersected, but for valid neighbours whose shared
    /// edges prove their interiors disjoint (most pairs of a clean coverage); a polygonal
    /// intersection is an overlap.
    mutating func checkOverlaps() throws {
        for i in geos.indices {
            let e = data.polygons.envelope(i)
            var others: [Int] = []
            data.tree.search(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY) { if $0 > i { others.append($0) } }
            for j in others.sorted() {
                if options.skipsProvenNeighbours && valid[i] && valid[j] && InteriorsDisjoint.proven(geometries[i], geometries[j]) { continue }
                let a = data.parties[i], b = data.parties[j]
                if geos[i].equals(geos[j]) {
                    add(.duplicateFeature, keys: [a.key, b.key], fids: [a.fid, b.fid], area: try geos[i].area(), geometry: geos[i],
                        detail: "features \(a.fid) and \(b.fid) have the same geometry")
                    if a.key == b.key { continue }
                }
                let overlap = try geos[i].intersection(geos[j])
                let parts = try overlap.polygonalParts()
                guard !parts.isEmpty else { continue }
                let region = try GeosGeometry(.multiPolygon(parts))
                let area = try region.area()
                guard area > 0 else { continue }
                let kind: Defect.Kind = isSliver(area: area, length: try region.length()) ? .sliverOverlap : (a.key == b.key ? .duplicateCoverage : .dispute)
                add(kind, keys: [a.key, b.key], fids: [a.fid, b.fid], area: area, geometry: region,
                    detail: a.key == b.key ? "\(a.key) covers this twice" : "\(a.key) and \(b.key) both claim this")
            }
        }
    }

    /// The jurisdiction minus the layer's union, part by part, in GEOS's normal form (a gap's
    /// id and place in the report then depend on the gaps alone, not on how they were found).
    ///
    /// The union is the cost. Where the members nearly tile the jurisdiction, the gaps are
    /// found in the few small boxes where edges are left over (`gapsInBoxes`). Otherwise the
    /// members are split into a west and an east half (by the centre of their envelopes), the
    /// east half is unioned on another core, and the jurisdiction minus the west union, minus
    /// the east union, is what is missing: the same set as minus the whole union, without its
    /// last and largest step waiting for both halves.
    mutating func checkGaps(within: Geometry) throws {
        guard !geos.isEmpty else { return }
        let area = try GeosGeometry(within)
        let missing: GeosGeometry
        if options.gapMethod == .boxesOrHalves || options.gapMethod == .boxes, let parts = try gapsInBoxes(within, area) {
            // A tiling without a single edge left over has no gap.
            guard !parts.isEmpty else { return }
            missing = try GeosGeometry(.multiPolygon(parts))
        } else if options.gapMethod == .boxes {
            throw GridKeeperError.badInput("layer \(layer): the gaps are not inside boxes of left-over edges")
        } else if options.gapMethod == .whole || geos.count < Self.splitGapsFrom {
            missing = try area.difference(try GeosGeometry.unaryUnion(geos))
        } else {
            let order = geos.indices.sorted { data.polygons.envelope($0).center.x < data.polygons.envelope($1).center.x }
            let west = order[..<(order.count / 2)], east = Array(order[(order.count / 2)...])
            // GEOS objects stay on the thread that made them: the east half crosses as a Geometry.
            let shapes = geometries
            let eastUnion = BackgroundValue { Result { () throws -> Geometry in
                try GeosGeometry.unaryUnion(try east.map { try GeosGeometry(shapes[$0]) }).geometry()
            } }
            let rest = try area.difference(try GeosGeometry.unaryUnion(west.map { geos[$0] }))
            missing = try rest.difference(try GeosGeometry(try eastUnion.value.get()))
        }
        // In normal form, the parts come in the same order and each with the same vertices
        // however the union was made.
        for part in try missing.normalized().polygonalParts() {
            let g = try GeosGeometry(.polygon(part))
            let area = try g.area()
            guard area > 0 else { continue }
            // Who borders the gap: the owners a dispatcher would ask first. Within a centimetre,
            // not touching: a neighbour meeting the gap at one corner must not come and go with
            // the last bits of the corner's coordinates.
            let e = ((try? g.geometry())?.envelope ?? .empty).expanded(by: Self.borderReach)
            let prepared = try PreparedGeometry(g)
            var neighbours = Set<String>()
            data.tree.search(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY) { m in
                if prepared.isWithinDistance(Self.borderReach, of: geos[m]) { neighbours.insert(data.parties[m].key) }
            }
            let detail = neighbours.isEmpty ? "nobody borders it" : "bordered by " + neighbours.sorted(by: codePointOrder).joined(separator: ", ")
            add(isSliver(area: area, length: try g.length()) ? .sliverGap : .gap, keys: [], fids: [], area: area, geometry: g, detail: detail)
        }
    }

    /// The gaps found box by box (see `UncancelledEdges`: every gap lies inside one box): in
    /// each box, the jurisdiction minus the members that reach into it, both cut to the box.
    /// Nil when the boxes do not serve: too many edges left over, boxes over a quarter of the
    /// jurisdiction's extent, or a part reaching near a box's side (not inside it after all).
    private func gapsInBoxes(_ within: Geometry, _ area: GeosGeometry) throws -> [[[Coordinate]]]? {
        let extent = within.envelope
        let margin = Swift.max(1, 1e-6 * Swift.max(extent.width, extent.height))
        guard let boxes = UncancelledEdges.boxes(geometries.map(\.polygons), area: within.polygons, margin: margin,
                                                 limit: data.polygons.storage.edgeCount / 10 + 1_000),
              boxes.reduce(0, { $0 + $1.width * $1.height }) <= 0.25 * extent.width * extent.height else { return nil }
        var parts: [[[Coordinate]]] = []
        for box in boxes {
            let corners = [Coordinate(box.minX, box.minY), Coordinate(box.maxX, box.minY), Coordinate(box.maxX, box.maxY),
                           Coordinate(box.minX, box.maxY), Coordinate(box.minX, box.minY)]
            let cut = try GeosGeometry(.polygon([corners]))
            var members: [Int] = []
            data.tree.search(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY) { members.append($0) }
            var rest = try area.intersection(cut)
            if !members.isEmpty {
                rest = try rest.difference(try GeosGeometry.unaryUnion(try members.sorted().map { try geos[$0].intersection(cut) }))
            }
            let inner = box.expanded(by: -margin / 2)
            for part in try rest.polygonalParts() {
                let e = Envelope(covering: part.first ?? [])
                guard e.minX > inner.minX, e.minY > inner.minY, e.maxX < inner.maxX, e.maxY < inner.maxY else { return nil }
                parts.append(part)
            }
        }
        return parts
    }

    /// GB/T 30428.1 codes: 15 digits (6 admin + 3 street + 3 community + 3 grid), or 14 in
    /// older CJ/T 213 data; unique within the layer; grid areas within range.
    mutating func checkCodes() {
        var seen: [String: [Int64]] = [:]
        for (m, p) in data.parties.enumerated() {
            let code = p.code ?? p.key
            if !(code.count == 15 || code.count == 14) || !code.allSatisfy(\.isASCII) || !code.allSatisfy(\.isNumber) {
                add(.badCode, keys: [code], fids: [p.fid], area: 0, geometry: nil, at: data.polygons.envelope(m).center,
                    detail: "'\(code)' is not a 15-digit GB/T 30428.1 code (6 admin + 3 street + 3 community + 3 grid)")
            }
            seen[code, default: []].append(p.fid)
            let area = (try? geos[m].area()) ?? 0
            if !options.gridAreaRange.contains(area) {
                add(.gridArea, keys: [code], fids: [p.fid], area: area, geometry: geos[m],
                    detail: String(format: "%.0f m², outside %.0f–%.0f m²", area, options.gridAreaRange.lowerBound, options.gridAreaRange.upperBound))
            }
        }
        for (code, fids) in seen where fids.count > 1 {
            add(.duplicateCode, keys: [code], fids: fids, area: 0, geometry: nil, at: data.polygons.envelope(data.member(fid: fids[0])!).center,
                detail: "\(fids.count) grids share code \(code)")
        }
    }

    /// Grids belong to one community: a grid overlapping two areas by more than a sliver crosses.
    mutating func checkNesting(in areas: LayerData) throws {
        let areaGeos = try areas.geometries().map { try GeosGeometry($0) }
        for (m, g) in geos.enumerated() {
            let e = data.polygons.envelope(m)
            var inside: [(String, Double)] = []
            var crossed: [GeosGeometry] = []
            var members: [Int] = []
            areas.tree.search(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY) { members.append($0) }
            for a in members.sorted() {
                let part = try g.intersection(areaGeos[a])
                let area = try part.area()
                if area >= options.sliverArea {
                    inside.append((areas.parties[a].key, area))
                    crossed.append(part)
                }
            }
            guard inside.count > 1 else { continue }
            // The defect is the part outside the area holding most of the grid.
            let main = inside.indices.max { inside[$0].1 < inside[$1].1 }!
            let outside = try GeosGeometry.unaryUnion(crossed.indices.filter { $0 != main }.map { crossed[$0] })
            let p = data.parties[m]
            add(.crossesArea, keys: [p.code ?? p.key] + inside.map(\.0), fids: [p.fid], area: try outside.area(), geometry: outside,
                detail: "grid \(p.code ?? p.key) lies in " + inside.map { String(format: "%@ (%.0f m²)", $0.0, $0.1) }.joined(separator: " and "))
        }
    }
}
