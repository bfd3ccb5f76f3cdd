import Spatial

/// `gridkeeper lookup`: for a coordinate in any supported CRS, every answering layer's
/// status and parties. Reads inside one read transaction per batch, so it never sees half a write.
///
/// Not Sendable (GEOS and PROJ objects are per thread): make one per thread.
public final class ResponsibilityLookup {
    public let workspaceCRS: CRS
    public let inputCRS: CRS
    public let layers: [LayerInfo]
    private let resolvers: [LayerResolver]
    private let roadResolvers: [String: RoadResolver]
    /// How far from a centreline a point still belongs to a road (road-duty layers).
    public var roadTolerance = 30.0
    private let fallbackResolver: LayerResolver?
    private let toWorkspace: CoordinateTransform
    private let toLonLat: CoordinateTransform

    /// `layerNames` nil = every polygon layer, in import order.
    public init(workspace: Workspace, layerNames: [String]?, inputCRS: CRS) throws {
        guard let crs = try workspace.crs() else {
            throw GridKeeperError.workspace("\(workspace.path) has no layers yet; import some with `gridkeeper import`")
        }
        workspaceCRS = crs
        self.inputCRS = inputCRS
        let all = try workspace.layers()
        let chosen: [LayerInfo]
        if let layerNames {
            chosen = try layerNames.map { name in
                let l = try workspace.layer(named: name)
                guard l.kind.isAnswering || l.kind == .roadduty else {
                    throw GridKeeperError.usage("layer '\(name)' is a \(l.kind.rawValue) layer; lookup answers for grid, duty, area and road-duty layers")
                }
                return l
            }
        } else {
            chosen = all.filter { $0.kind.isAnswering || $0.kind == .roadduty }
        }
        guard !chosen.isEmpty else { throw GridKeeperError.usage("the workspace has no grid, duty or area layer to look up") }
        layers = chosen
        let shared = try workspace.jurisdictionLayer()
        let sharedCoverage = try shared.flatMap { try workspace.coverage(layer: $0.name) }
        roadResolvers = try Dictionary(uniqueKeysWithValues: chosen.filter { $0.kind == .roadduty }.map {
            ($0.name, try RoadResolver(workspace: workspace, layer: $0, jurisdiction: sharedCoverage))
        })
        resolvers = try chosen.filter { $0.kind.isAnswering }.map { l in
            let coverage = try sharedCoverage ?? workspace.coverage(layer: l.name)
            return try LayerResolver(layer: l, provider: try WorkspaceFeatures(workspace: workspace, layer: l), jurisdiction: coverage,
                                     rulings: try DisputeRegister.rulings(layer: l.name, workspace: workspace))
        }
        // 属地兜底: the finest area layer (most features), else the grid layer.
        let areas = all.filter { $0.kind == .area }.sorted { $0.featureCount > $1.featureCount }
        if let fallback = areas.first ?? all.first(where: { $0.kind == .grid }) {
            fallbackResolver = try LayerResolver(layer: fallback, provider: try WorkspaceFeatures(workspace: workspace, layer: fallback), jurisdiction: nil)
        } else {
            fallbackResolver = nil
        }
        toWorkspace = try LayerImport.transform(from: inputCRS, to: crs)
        toLonLat = try LayerImport.transform(from: inputCRS, to: .wgs84)
    }

    /// Answers for `input` (x = lon/easting, y = lat/northing in `inputCRS`; projected input
    /// given northing first is recognised by magnitude and swapped).
    public func answer(_ input: Coordinate, tolerance: Double = 0) throws -> PointAnswer {
        guard input.isFinite else { throw GridKeeperError.badInput("coordinate (\(input.x), \(input.y)) is not a finite number") }
        guard tolerance >= 0, tolerance.isFinite else { throw GridKeeperError.usage("--tolerance must be a distance in metres ≥ 0") }
        var c = input
        if inputCRS.isGeographic {
            guard c.x >= -180, c.x <= 180, c.y >= -90, c.y <= 90 else {
                let swapped = c.y >= -180 && c.y <= 180 && c.x >= -90 && c.x <= 90
                throw GridKeeperError.badInput("(\(c.x), \(c.y)) is not a longitude,latitude\(swapped ? "; did you give LAT,LON? write LON,LAT" : "; projected? pass --crs EPSG:n")")
            }
        } else if try ProjectedAxisOrder.needsSwap(c, crs: inputCRS, position: "coordinate") {
            c = Coordinate(c.y, c.x)
        }
        let position: Coordinate, lonLat: Coordinate
        do {
            position = try toWorkspace.transform(c)
            lonLat = try toLonLat.transform(c)
        } catch {
            throw GridKeeperError.badInput("\(error)")
        }
        var answers: [LayerAnswer] = []
        var polygonResolvers = resolvers.makeIterator()
        for layer in layers {
            if let road = roadResolvers[layer.name] {
                answers.append(road.answer(at: position, tolerance: tolerance, roadTolerance: roadTolerance))
                continue
            }
            var a = try polygonResolvers.next()!.answer(at: position, tolerance: tolerance)
            if a.status == .gap, let fallbackResolver {
                let f = try fallbackResolver.answer(at: position, tolerance: 0)
                if let party = f.primary { a.fallback = Fallback(layer: fallbackResolver.layer.name, party: party) }
            }
            answers.append(a)
        }
        return PointAnswer(input: input, inputCRS: inputCRS, lonLat: lonLat, position: position, workspaceCRS: workspaceCRS, layers: answers)
    }
}
