import Spatial

/// A polygon layer loaded into memory for bulk work: flat polygons with their packed R-tree
/// (the native kernel), the parties, and the plain geometries for the GEOS fallback.
/// Immutable once loaded, shared by every worker thread.
final class LayerData: @unchecked Sendable {
    let layer: LayerInfo
    /// In fid order: member m is the m-th feature by fid.
    let parties: [Party]
    let geometries: [Geometry]
    /// The rank of each member's key in code-point order, so "smallest key" is an integer compare.
    let keyRank: [Int32]
    let polygons: PolygonSet
    let tree: PackedRTree
    let memberByFID: [Int64: Int]
    /// Each member's batch-output fields, CSV-encoded once: `<layer>,<layer>_owner` (code, else
    /// name; owner), its key (for `<layer>_candidates`), and its whole answer when the point is
    /// inside it (`,<layer>,<layer>_owner,inside,`: most rows are that, one copy instead of seven).
    let csvParty: ByteStrings, csvKey: ByteStrings, csvInside: ByteStrings
    /// Rulings in force (see `DisputeRegister`): areas and the key rank of the owner who answers there.
    let rulings: [(owner: String, geometry: Geometry)]
    let rulingAreas: PolygonSet
    /// The jurisdiction (one member), when known.
    let jurisdiction: PolygonSet?
    let jurisdictionGeometry: Geometry?

    init(workspace: Workspace, layer: LayerInfo, jurisdiction: Geometry?) throws {
        self.layer = layer
        let columns = [layer.keyField, layer.codeField, layer.ownerField, layer.nameField].map { $0.map(quoteIdentifier) ?? "NULL" }
        let rows = try workspace.database.prepare("SELECT fid, \(quoteIdentifier(GeoPackage.geometryColumn)), \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layer.name)) ORDER BY fid")
        var parties: [Party] = [], geometries: [Geometry] = []
        while try rows.step() {
            guard case .integer(let fid) = rows.value(0), case .blob(let blob) = rows.value(1) else { continue }
            let g = try GeoPackageBlob.decode(blob)
            guard g.family == .polygon, !g.isEmpty else { continue }
            parties.append(Party(fid: fid, key: rows.value(2).text ?? "", code: rows.value(3).text, owner: rows.value(4).text, name: rows.value(5).text))
            geometries.append(g)
        }
        self.parties = parties
        self.geometries = geometries
        let keys = Array(Set(parties.map(\.key))).sorted(by: codePointOrder)
        let rank = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Int32($0)) })
        keyRank = parties.map { rank[$0.key]! }
        let set = PolygonSet(geometries.map(\.polygons))
        polygons = set
        tree = PackedRTree((0..<set.count).map { set.envelope($0) })
        func party(_ m: Int, _ out: inout [UInt8]) {
            CSVWriter.appendEncodedField(parties[m].code ?? parties[m].name ?? "", to: &out)
            out.append(UInt8(ascii: ","))
            CSVWriter.appendEncodedField(parties[m].owner ?? "", to: &out)
        }
        csvParty = ByteStrings(count: parties.count, party)
        csvKey = ByteStrings(count: parties.count) { CSVWriter.appendEncodedField(parties[$0].key, to: &$1) }
        let inside = Array(",\(Status.inside.rawValue),".utf8)
        csvInside = ByteStrings(count: parties.count) { m, out in
            out.append(UInt8(ascii: ","))
            party(m, &out)
            out += inside
        }
        memberByFID = Dictionary(uniqueKeysWithValues: parties.enumerated().map { ($1.fid, $0) })
        rulings = try DisputeRegister.rulings(layer: layer.name, workspace: workspace)
        rulingAreas = PolygonSet(rulings.map(\.geometry.polygons))
        self.jurisdiction = jurisdiction.map { PolygonSet([$0.polygons]) }
        jurisdictionGeometry = jurisdiction
    }

    /// The extent of the layer (or of its jurisdiction), for ordering points along a Hilbert curve.
    var extent: Envelope {
        if let jurisdiction { return jurisdiction.envelope(0) }
        return (0..<polygons.count).reduce(Envelope.empty) { $0.union(polygons.envelope($1)) }
    }
}

/// `LayerData` as a `FeatureProvider`, so the GEOS resolver can serve as the bulk fallback.
final class LoadedFeatures: FeatureProvider {
    let data: LayerData
    init(_ data: LayerData) { self.data = data }

    func candidates(near e: Envelope) throws -> [Int64] {
        var fids: [Int64] = []
        data.tree.search(minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY) { fids.append(data.parties[$0].fid) }
        return fids
    }

    func feature(_ fid: Int64) throws -> (party: Party, geometry: Geometry)? {
        guard let m = data.memberByFID[fid] else { return nil }
        return (data.parties[m], data.geometries[m])
    }
}
