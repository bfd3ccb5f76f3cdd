import Spatial

/// Answers "who is responsible here" for one polygon layer, with the statuses of ARCHITECTURE.md ("Keys, statuses, precedence").
///
/// Candidates come from a `FeatureProvider`; predicates are GEOS prepared geometries, cached
/// per feature. Not Sendable: one per thread. This is the reference path: the native bulk
/// kernel falls back to it for the rare points it does not decide itself.
final class LayerResolver {
    let layer: LayerInfo
    private let provider: FeatureProvider
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

    /// Rulings in force: inside each area, its owner answers a dispute.
    private let rulings: [(owner: String, region: PreparedGeometry)]

    init(layer: LayerInfo, provider: FeatureProvider, jurisdiction: Geometry?, rulings: [(owner: String, geometry: Geometry)] = []) throws {
        self.layer = layer
        self.provider = provider
        self.jurisdiction = try jurisdiction.map { try CachedRegion(try GeosGeometry($0)) }
        self.rulings = try rulings.map { ($0.owner, try PreparedGeometry(try GeosGeometry($0.geometry))) }
    }

    private func feature(_ fid: Int64) throws -> CachedFeature? {
        if let f = cache[fid] { return f }
        guard let (party, geometry) = try provider.feature(fid) else { return nil }
        let f = CachedFeature(party: party, region: try CachedRegion(try GeosGeometry(geometry)))
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
        for fid in try provider.candidates(near: search) {
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

        var status = try StatusRule.decide(
            interiorKeys: interior.count, nearEdge: !nearEdge.isEmpty, partial: layer.partial,
            nearJurisdictionEdge: { try jurisdiction?.isNearEdge(point, tolerance: tolerance) ?? false },
            insideJurisdiction: { jurisdiction?.prepared.covers(point) ?? true })
        var primary = status.hasParty ? parties.first : nil
        if status == .disputed, let ruling = rulings.first(where: { reach[$0.owner] != nil && $0.region.covers(point) }) {
            status = .ruled
            primary = reach[ruling.owner]
        }
        var distance: Double?
        if let primary, let f = try feature(primary.fid) {
            distance = try f.region.prepared.distance(to: point)
        }
        return LayerAnswer(layer: layer.name, kind: layer.kind, status: status, primary: primary,
                           candidates: status.hasParty ? parties : [], distance: distance, fallback: nil)
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
