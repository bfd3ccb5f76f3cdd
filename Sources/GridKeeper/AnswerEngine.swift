import Spatial

/// The layers of one workspace snapshot, loaded for answering: the polygon layers for the
/// native kernel (`LayerData`: polygons, parties, rulings, jurisdiction), the road-duty layers'
/// stakes (`RoadResolver`) and the territorial fallback layer. Immutable once loaded; the
/// single-point `AnswerEngine` and every bulk worker answer over the same one.
public final class AnswerLayers: @unchecked Sendable {
    public let workspaceCRS: CRS
    /// The layers answered, in the order asked for (polygon and road-duty layers).
    public let layers: [LayerInfo]
    /// The polygon layers among `layers`, in their order, and the road-duty layers.
    let polygons: [LayerData]
    let roads: [RoadResolver]
    /// Where each of `layers` is answered: a polygon layer's or a road-duty layer's index.
    let plan: [AssignColumns]
    /// 属地兜底: the finest area layer (most features), else the grid layer; named for gaps
    /// in single answers (batch rows have no column for it, so bulk runs do not load it).
    let fallback: LayerData?
    /// The workspace-CRS window the layers were loaded for; nil when whole layers are.
    let window: Envelope?
    /// Each of `layers`' roster (nil: it has none), and the day answers are given for (nil:
    /// the day each answer is given, so a long-lived snapshot names the staff of today).
    let rosters: [Roster?]
    let day: CalendarDay?

    /// What a long-lived process (the service) holds: every grid, duty, area and road-duty
    /// layer whole, indexed for `indexTolerance` (other tolerances are answered from the tree),
    /// with the fallback layer; `day`: as in force that day (nil: today's). Read in one read
    /// transaction of `workspace`.
    public convenience init(wholeWorkspace workspace: Workspace, indexTolerance: Double, at day: CalendarDay? = nil) throws {
        try self.init(workspace: workspace, layerNames: nil, indexTolerance: indexTolerance, fallback: true, at: day)
    }

    /// `layerNames` nil = every grid, duty, area and road-duty layer, in import order.
    /// `indexTolerance`: build each polygon layer's cell index for answering many points at
    /// that tolerance (bulk runs). `window`: load only what reaches it (one-shot lookups).
    /// `fallback`: load the territorial fallback layer too. `day`: the versions of the layers,
    /// and the rulings, in force on that day (nil: today's).
    init(workspace: Workspace, layerNames: [String]?, indexTolerance: Double? = nil, window: Envelope? = nil, fallback withFallback: Bool = false,
         at day: CalendarDay? = nil) throws {
        let crs = try workspace.answeringCRS()
        workspaceCRS = crs
        self.window = window
        let all = try workspace.layers()
        let named = try layerNames.map { names in
            try names.map { name in
                let l = try workspace.layer(named: name)
                guard l.kind.isAnswering || l.kind == .roadduty else {
                    throw GridKeeperError.usage("layer '\(name)' is a \(l.kind.rawValue) layer; lookup and assign answer for grid, duty, area and road-duty layers")
                }
                return l
            }
        } ?? all.filter { $0.kind.isAnswering || $0.kind == .roadduty }
        guard !named.isEmpty else { throw GridKeeperError.usage("the workspace has no grid, duty, area or road-duty layer to answer for") }
        // A layer as it was on `day`; the answers keep its name.
        func version(_ info: LayerInfo) throws -> LayerInfo {
            guard let day else { return info }
            return try LayerVersions.layerInForce(info, at: day, workspace: workspace)
        }
        var chosen = try named.map(version)
        self.day = day
        let polygonInfos = chosen.filter { $0.kind != .roadduty }, roadInfos = chosen.filter { $0.kind == .roadduty }
        let plan: [AssignColumns] = chosen.map { info in
            info.kind == .roadduty ? .road(roadInfos.firstIndex { $0.name == info.name }!) : .polygon(polygonInfos.firstIndex { $0.name == info.name }!)
        }
        self.plan = plan
        let rosters: [Roster?]
        // Whole layers are read from the mapped file; a window's handful of features is not worth mapping it.
        (polygons, roads, fallback, rosters) = try workspace.read(mapped: window == nil) {
            let shared = try workspace.jurisdictionLayer().flatMap { try workspace.coverage(of: try version($0)) }
            let polygons = try polygonInfos.map {
                try LayerData(workspace: workspace, layer: $0, jurisdiction: shared ?? workspace.coverage(of: $0),
                              indexTolerance: indexTolerance, window: window, day: day)
            }
            let roads = try roadInfos.map { try RoadResolver(workspace: workspace, layer: $0, jurisdiction: shared) }
            let areas = all.filter { $0.kind == .area }.sorted { $0.featureCount > $1.featureCount }
            let fallback = try (withFallback ? areas.first ?? all.first { $0.kind == .grid } : nil).map {
                try LayerData(workspace: workspace, layer: try version($0), jurisdiction: nil, window: window, day: day)
            }
            // A one-shot lookup reads the people of the parties it loaded, not the whole roster.
            let rosters = try zip(chosen, plan).map { info, column -> Roster? in
                guard window != nil, case .polygon(let l) = column else { return try Roster.load(layer: info.name, workspace: workspace) }
                return try Roster.load(layer: info.name, keys: Set(polygons[l].parties.map(\.key)), workspace: workspace)
            }
            return (polygons, roads, fallback, rosters)
        }
        for k in chosen.indices { chosen[k].staffed = rosters[k] != nil }
        layers = chosen
        self.rosters = rosters
        // Points on an edge between two polygons of one key go to GEOS: a bulk run loads it
        // beside the rest of its start rather than in a worker, mid-chunk, while the other waits.
        if indexTolerance != nil && polygons.contains(where: \.hasRepeatedKeys) { _ = BackgroundValue { GEOSLibrary.load() } }
    }
}

/// The one answer engine (ARCHITECTURE.md, "One answer engine"): single `lookup`, the pipe,
/// batch `lookup` and `assign` all answer through it, so a point gets the same answer from
/// every entry. It answers single points over one snapshot's `AnswerLayers` with the native
/// kernel; a point on an edge between polygons of one key goes to GEOS (see
/// `NativeResolver`), with the same rulings. Bulk runs answer over the same `AnswerLayers`
/// with their workers' own resolvers (`AssignWorker`), and every CSV row is `BatchColumns`'.
///
/// A one-shot lookup (`around:`) loads only the features that can reach its point, through
/// the GeoPackage R-tree; the pipe loads whole layers. The rules on top are the same code
/// either way.
///
/// Not Sendable: its resolvers and transforms belong to the thread that made it.
public final class AnswerEngine {
    public var workspaceCRS: CRS { snapshot.workspaceCRS }
    public let inputCRS: CRS
    /// The layers answered, in the order asked for (polygon and road-duty layers).
    public var layers: [LayerInfo] { snapshot.layers }
    /// How far from a centreline a point still belongs to a road (road-duty layers), metres.
    public var roadTolerance = 30.0
    let snapshot: AnswerLayers
    private var resolvers: [NativeResolver] = []
    private var fallbackResolver: NativeResolver?
    /// Made on first use (a PROJ transform takes milliseconds to create).
    private var toWorkspace: CoordinateTransform?, toLonLat: CoordinateTransform?

    /// `layerNames` nil = every grid, duty, area and road-duty layer, in import order.
    /// `indexTolerance`: index the layers for answering many points at that tolerance.
    /// `day`: answer with the layers and rulings in force on that day (nil: today's).
    public init(workspace: Workspace, layerNames: [String]?, inputCRS: CRS, indexTolerance: Double? = nil, at day: CalendarDay? = nil) throws {
        snapshot = try AnswerLayers(workspace: workspace, layerNames: layerNames, indexTolerance: indexTolerance, fallback: true, at: day)
        self.inputCRS = inputCRS
    }

    /// An engine over a snapshot already loaded (and shared): cheap, so a long-lived process
    /// makes one per thread or request over the one immutable `AnswerLayers` it holds.
    public init(snapshot: AnswerLayers, inputCRS: CRS) {
        self.snapshot = snapshot
        self.inputCRS = inputCRS
    }

    /// An engine for answering the one point `input` (in `inputCRS`) at `tolerance`: it loads
    /// only the features within reach of it, so a one-shot lookup stays cheap on a big city.
    public init(workspace: Workspace, layerNames: [String]?, inputCRS: CRS, around input: Coordinate, tolerance: Double, at day: CalendarDay? = nil) throws {
        let crs = try workspace.answeringCRS()
        let toWorkspace = try LayerImport.transform(from: inputCRS, to: crs)
        let position = try Self.transform(try Self.checked(input, in: inputCRS), toWorkspace)
        // A margin beyond the tolerance: the window must hold every feature the answer can touch.
        let reach = Swift.max(tolerance, 0) * 2 + 1
        snapshot = try AnswerLayers(workspace: workspace, layerNames: layerNames, window: Envelope(covering: [position]).expanded(by: reach),
                                    fallback: true, at: day)
        self.inputCRS = inputCRS
        self.toWorkspace = toWorkspace
    }

    /// Every layer's answer for `input` (x = lon/easting, y = lat/northing in `inputCRS`;
    /// projected input given northing first is recognised by magnitude and swapped).
    public func answer(_ input: Coordinate, tolerance: Double = 0) throws -> PointAnswer {
        guard tolerance >= 0, tolerance.isFinite else { throw GridKeeperError.usage("--tolerance must be a distance in metres ≥ 0") }
        let c = try Self.checked(input, in: inputCRS)
        if toWorkspace == nil { toWorkspace = try LayerImport.transform(from: inputCRS, to: workspaceCRS) }
        if toLonLat == nil { toLonLat = try LayerImport.transform(from: inputCRS, to: .wgs84) }
        let position = try Self.transform(c, toWorkspace!), lonLat = try Self.transform(c, toLonLat!)
        if let window = snapshot.window, !(window.contains(Coordinate(position.x - tolerance, position.y - tolerance)) && window.contains(Coordinate(position.x + tolerance, position.y + tolerance))) {
            throw GridKeeperError.usage("this engine was loaded for another point; build one for (\(input.x), \(input.y))")
        }
        if resolvers.isEmpty && !snapshot.polygons.isEmpty { resolvers = snapshot.polygons.map { NativeResolver($0, index: $0.index) } }
        if fallbackResolver == nil, let fallback = snapshot.fallback { fallbackResolver = NativeResolver(fallback) }
        var answers: [LayerAnswer] = []
        for column in snapshot.plan {
            switch column {
            case .road(let r):
                answers.append(snapshot.roads[r].answer(at: position, tolerance: tolerance, roadTolerance: roadTolerance))
            case .polygon(let l):
                var a = try Self.layerAnswer(resolvers[l], at: position, tolerance: tolerance)
                if a.status == .gap, let fallbackResolver, let party = try Self.layerAnswer(fallbackResolver, at: position, tolerance: 0).primary {
                    a.fallback = Fallback(layer: fallbackResolver.data.layer.name, party: party)
                }
                answers.append(a)
            }
        }
        if snapshot.rosters.contains(where: { $0 != nil }) {
            let day = snapshot.day ?? CalendarDay.today
            for (k, roster) in snapshot.rosters.enumerated() { roster?.attach(to: &answers[k], on: day) }
        }
        return PointAnswer(input: input, inputCRS: inputCRS, lonLat: lonLat, position: position, workspaceCRS: workspaceCRS, layers: answers)
    }

    /// One polygon layer's answer with its parties, from the kernel's member indices.
    private static func layerAnswer(_ resolver: NativeResolver, at p: Coordinate, tolerance: Double) throws -> LayerAnswer {
        let d = resolver.data
        let a = try resolver.answer(x: p.x, y: p.y, tolerance: tolerance)
        let primary = a.primary >= 0 ? d.parties[Int(a.primary)] : nil
        let candidates = a.hasCandidates ? resolver.candidates.map { d.parties[Int($0)] } : primary.map { [$0] } ?? []
        return LayerAnswer(layer: d.layer.name, kind: d.layer.kind, status: a.status, primary: primary, candidates: candidates,
                           distance: primary == nil || a.distance.isNaN ? nil : a.distance, fallback: nil)
    }

    /// `input` as the CRS reads it: finite, longitude and latitude in range, projected axes in
    /// easting,northing order (swapped when given northing first).
    static func checked(_ input: Coordinate, in crs: CRS) throws -> Coordinate {
        guard input.isFinite else { throw GridKeeperError.badInput("coordinate (\(input.x), \(input.y)) is not a finite number") }
        if let problem = PointRange.problem(input, in: crs) { throw GridKeeperError.badInput(problem) }
        if crs.isGeographic { return input }
        return try ProjectedAxisOrder.needsSwap(input, crs: crs, position: "coordinate") ? Coordinate(input.y, input.x) : input
    }

    /// A transform's failure (outside its area, HUGE_VAL) is bad input, not a workspace error.
    private static func transform(_ c: Coordinate, _ t: CoordinateTransform) throws -> Coordinate {
        do {
            return try t.transform(c)
        } catch {
            throw GridKeeperError.badInput("\(error)")
        }
    }
}
