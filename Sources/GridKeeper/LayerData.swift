import Spatial

/// A polygon layer loaded into memory for bulk work: flat polygons with their packed R-tree
/// (the native kernel), the parties, and the plain geometries for the GEOS fallback.
/// Immutable once loaded, shared by every worker thread.
final class LayerData: @unchecked Sendable {
    let layer: LayerInfo
    /// In fid order: member m is the m-th feature by fid.
    let parties: [Party]
    /// Each member's GeoPackage geometry blob as stored, end to end: the kernel gets its
    /// polygons straight from the WKB, and `geometry(m)` decodes a blob only for the paths
    /// that need the whole geometry (GEOS, audits, reports).
    private let blobs: [UInt8]
    private let blobStart: [Int]
    /// The rank of each member's key in code-point order, so "smallest key" is an integer compare.
    let keyRank: [Int32]
    /// Whether two members share a key (a point on an edge between them needs GEOS).
    var hasRepeatedKeys: Bool { Set(keyRank).count < keyRank.count }
    let polygons: PolygonSet
    let tree: PackedRTree
    /// Each member's batch-output fields (`BatchColumns`), CSV-encoded once: `<layer>,<layer>_owner`,
    /// and its whole answer when the point is inside it (`,<layer>,<layer>_owner,inside,`: most
    /// rows are that, one copy instead of seven).
    let csvParty: ByteStrings, csvInside: ByteStrings
    /// Each member's key as UTF-8, and whether it may be copied as it is into a candidates field
    /// (`BatchColumns.isVerbatimCandidate`).
    let keyBytes: ByteStrings, keyIsVerbatim: [Bool]
    /// Rulings in force (see `DisputeRegister`): areas and the key rank of the owner who answers there.
    let rulings: [(owner: String, geometry: Geometry)]
    let rulingAreas: PolygonSet
    /// The jurisdiction (one member), when known.
    let jurisdiction: PolygonSet?
    let jurisdictionGeometry: Geometry?
    /// The cell indexes at the tolerance asked for at load (`indexTolerance`), else nil.
    let index: LayerIndex?

    /// `indexTolerance`: also load or build the layer's `LayerIndex` for that tolerance (a build
    /// on another thread while the rest of the layer, key ranks, tree, CSV texts, is made).
    /// `window`: load only the features whose envelope meets it (through the GeoPackage
    /// R-tree), for answering points inside it: a one-shot lookup needs a handful, not the city.
    /// `day`: the rulings in force on that day (nil: every ruling).
    init(workspace: Workspace, layer: LayerInfo, jurisdiction: Geometry?, indexTolerance: Double? = nil, window: Envelope? = nil, day: CalendarDay? = nil) throws {
        self.layer = layer
        let columns = [layer.keyField, layer.codeField, layer.ownerField, layer.nameField].map { $0.map(quoteIdentifier) ?? "NULL" }
        var filter = ""
        if window != nil {
            let rtree = quoteIdentifier(GeoPackage.rtreeName(layer.table))
            filter = " WHERE fid IN (SELECT id FROM \(rtree) WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
        }
        let rows = try workspace.database.prepare("SELECT fid, \(quoteIdentifier(GeoPackage.geometryColumn)), \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layer.table))\(filter) ORDER BY fid")
        if let window { try rows.bind([.real(window.maxX), .real(window.minX), .real(window.maxY), .real(window.minY)]) }
        var parties: [Party] = [], builder = PolygonSet.Builder()
        var blobs: [UInt8] = [], blobStart = [0]
        while try rows.step() {
            guard let fid = rows.integer(0) else { continue }
            let polygonal = try rows.withBlob(1) { blob -> Bool in
                guard try GeoPackageBlob.appendPolygonal(blob, to: &builder) else { return false }
                if blobs.isEmpty {
                    // Room for the whole layer at twice the first blob's size a feature: growing a
                    // city's blobs by doubling copied them over and over, each new page a fault.
                    // Room never written costs no memory; a guess beyond 256 MiB is not trusted.
                    let guess = Swift.min(blob.count * 2 * Swift.max(window == nil ? layer.featureCount : 0, 1), 1 << 28)
                    blobs.reserveCapacity(guess)
                    builder.reserveCapacity(doubles: guess / 8)
                }
                blobs += blob
                return true
            }
            guard polygonal == true else { continue }
            blobStart.append(blobs.count)
            parties.append(Party(fid: fid, key: rows.value(2).text ?? "", code: rows.value(3).text, owner: rows.value(4).text, name: rows.value(5).text))
        }
        self.parties = parties
        self.blobs = blobs
        self.blobStart = blobStart
        let set = PolygonSet(builder), area = jurisdiction.map { PolygonSet([$0.polygons]) }
        polygons = set
        self.jurisdiction = area
        let pendingIndex = try indexTolerance.map { try LayerIndex.pending(polygons: set, jurisdiction: area, tolerance: $0, workspace: workspace) }
        keyRank = Self.ranks(of: parties.map(\.key))
        tree = PackedRTree((0..<set.count).map { set.envelope($0) })
        func party(_ m: Int, _ out: inout [UInt8]) {
            CSVWriter.appendEncodedField(BatchColumns.partyField(parties[m]), to: &out)
            out.append(UInt8(ascii: ","))
            CSVWriter.appendEncodedField(parties[m].owner ?? "", to: &out)
        }
        csvParty = ByteStrings(count: parties.count, party)
        keyBytes = ByteStrings(count: parties.count) { $1 += parties[$0].key.utf8 }
        keyIsVerbatim = parties.map { BatchColumns.isVerbatimCandidate($0.key) }
        let inside = Array(",\(Status.inside.rawValue),".utf8)
        csvInside = ByteStrings(count: parties.count) { m, out in
            out.append(UInt8(ascii: ","))
            party(m, &out)
            out += inside
        }
        rulings = try DisputeRegister.rulings(layer: layer.name, at: day, workspace: workspace)
        rulingAreas = PolygonSet(rulings.map(\.geometry.polygons))
        jurisdictionGeometry = jurisdiction
        index = pendingIndex?.value
    }

    /// Member m's whole geometry.
    func geometry(_ m: Int) throws -> Geometry {
        try blobs.withUnsafeBytes { try GeoPackageBlob.decode(UnsafeRawBufferPointer(rebasing: $0[blobStart[m]..<blobStart[m + 1]])) }
    }

    /// Every member's whole geometry, in member order.
    func geometries() throws -> [Geometry] {
        try parties.indices.map(geometry)
    }

    /// The member with this fid, if any (members are in fid order).
    func member(fid: Int64) -> Int? {
        var low = 0, high = parties.count
        while low < high {
            let mid = (low + high) / 2
            if parties[mid].fid < fid { low = mid + 1 } else { high = mid }
        }
        return low < parties.count && parties[low].fid == fid ? low : nil
    }

    /// Each key's rank among the distinct keys in code-point order (equal keys, equal ranks).
    private static func ranks(of keys: [String]) -> [Int32] {
        let order = keys.indices.sorted { codePointOrder(keys[$0], keys[$1]) }
        var ranks = [Int32](repeating: 0, count: keys.count), rank: Int32 = -1
        for (k, m) in order.enumerated() {
            if k == 0 || keys[m] != keys[order[k - 1]] { rank += 1 }
            ranks[m] = rank
        }
        return ranks
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
        guard let m = data.member(fid: fid) else { return nil }
        return (data.parties[m], try data.geometry(m))
    }
}
