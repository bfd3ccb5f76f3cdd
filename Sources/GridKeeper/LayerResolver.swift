import Spatial

/// Answers "who is responsible here" for one polygon layer, with the statuses of DESIGN.
///
/// Candidates come from the layer's GeoPackage R-tree; predicates are GEOS prepared
/// geometries, cached per feature. Not Sendable: one per thread.
final class LayerResolver {
    let layer: LayerInfo
    private let workspace: Workspace
    private let select: SQLiteStatement
    private var cache: [Int64: CachedFeature] = [:]
    private var unions: [[Int64]: CachedRegion] = [:]
    /// The jurisdiction: gap inside it, outside beyond it.
    private let jurisdiction: CachedRegion?

    private final class CachedFeature {
        let party: Party
        let region: CachedRegion
        init(party: Party, region: CachedRegion) { self.party = party; self.region = region }
    }

    /// A polygonal region with the prepared forms the predicates need.
    final class CachedRegion {
        let geometry: GeosGeometry
        let prepared: PreparedGeometry
        private var boundaryCache: PreparedGeometry?

        init(_ geometry: GeosGeometry) throws {
            self.geometry = geometry
            prepared = try PreparedGeometry(geometry)
        }

        func boundary() throws -> PreparedGeometry {
            if let b = boundaryCache { return b }
            let b = try PreparedGeometry(try geometry.boundary())
            boundaryCache = b
            return b
        }

        /// Whether `point` is within `tolerance` of the region's boundary (on it when 0).
        func isNearEdge(_ point: GeosGeometry, tolerance: Double) throws -> Bool {
            if tolerance <= 0 { return prepared.covers(point) && !prepared.contains(point) }
            return try boundary().isWithinDistance(tolerance, of: point)
        }
    }

    init(workspace: Workspace, layer: LayerInfo, jurisdiction: GeosGeometry?) throws {
        self.workspace = workspace
        self.layer = layer
        let columns = [layer.keyField, layer.codeField, layer.ownerField, layer.nameField].map { $0.map(quoteIdentifier) ?? "NULL" }
        select = try workspace.database.prepare("SELECT \(quoteIdentifier(GeoPackage.geometryColumn)), \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layer.name)) WHERE fid = ?")
        self.jurisdiction = try jurisdiction.map(CachedRegion.init)
    }

    private func feature(_ fid: Int64) throws -> CachedFeature? {
        if let f = cache[fid] { return f }
        try select.bind([.integer(fid)])
        guard try select.step(), case .blob(let blob) = select.value(0) else { return nil }
        let geometry = try GeosGeometry(try GeoPackageBlob.decode(blob))
        let key = select.value(1).text ?? ""
        let party = Party(fid: fid, key: key, code: select.value(2).text, owner: select.value(3).text, name: select.value(4).text)
        let f = CachedFeature(party: party, region: try CachedRegion(geometry))
        cache[fid] = f
        return f
    }

    /// The union of several features of one key, so edges between them do not count as boundaries.
    private func region(of features: [CachedFeature]) throws -> CachedRegion {
        if features.count == 1 { return features[0].region }
        let fids = features.map(\.party.fid).sorted()
        if let r = unions[fids] { return r }
        let r = try CachedRegion(try GeosGeometry.unaryUnion(features.map(\.region.geometry)))
        unions[fids] = r
        return r
    }

    func answer(at p: Coordinate, tolerance: Double) throws -> LayerAnswer {
        let point = try GeosGeometry(.point(p))
        let search = Envelope(covering: [p]).expanded(by: max(tolerance, 0))
        var byKey: [String: [CachedFeature]] = [:]
        for fid in try workspace.gpkg.candidates(in: layer.name, envelope: search) {
            if let f = try feature(fid) { byKey[f.party.key, default: []].append(f) }
        }
        var interior: [String] = [], nearEdge: [String] = []
        var reach: [String: Party] = [:]
        for (key, features) in byKey {
            // Only features that reach the point count towards the key's region.
            let touching = features.filter { f in
                tolerance > 0 ? f.region.prepared.isWithinDistance(tolerance, of: point) : f.region.prepared.covers(point)
            }
            if touching.isEmpty { continue }
            // A key with several polygons here is represented by its lowest fid.
            reach[key] = touching.map(\.party).min { $0.fid < $1.fid }
            let region = try region(of: touching)
            if region.prepared.contains(point) { interior.append(key) }
            if try region.isNearEdge(point, tolerance: tolerance) { nearEdge.append(key) }
        }
        let parties = reach.keys.sorted(by: codePointOrder).map { reach[$0]! }

        let status: Status
        if interior.count >= 2 {
            status = .disputed
        } else if !nearEdge.isEmpty {
            status = .boundary
        } else if interior.count == 1 {
            status = try nearJurisdictionEdge(point, tolerance: tolerance) ? .boundary : .inside
        } else if jurisdiction?.prepared.covers(point) ?? true {
            status = layer.partial ? .none : .gap
        } else {
            status = .outside
        }
        let primary = status.hasParty ? parties.first : nil
        var distance: Double?
        if let primary, let f = try feature(primary.fid) {
            distance = try f.region.prepared.distance(to: point)
        }
        return LayerAnswer(layer: layer.name, kind: layer.kind, status: status, primary: primary,
                           candidates: status.hasParty ? parties : [], distance: distance, fallback: nil)
    }

    /// The edge of the jurisdiction is a boundary too (DESIGN), for layers that reach past it.
    private func nearJurisdictionEdge(_ point: GeosGeometry, tolerance: Double) throws -> Bool {
        guard let jurisdiction else { return false }
        return try jurisdiction.isNearEdge(point, tolerance: tolerance)
    }
}

extension Status {
    /// Whether the status names who answers.
    var hasParty: Bool {
        switch self {
        case .inside, .boundary, .disputed, .ruled: true
        case .gap, .none, .outside: false
        }
    }
}
