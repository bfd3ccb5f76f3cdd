import Foundation
import Spatial

/// `gridkeeper import`: reads a source, checks and repairs every geometry, transforms it into
/// the workspace CRS and writes the layer in one transaction. Any error leaves the workspace
/// exactly as it was.
public enum LayerImport {
    /// A limit, with a clear error above it: GEOS and the kernel hold one feature whole. A
    /// layer has no limit on its features: the source is read twice, never held.
    public static let maxVerticesPerFeature = 2_000_000
    /// How far (workspace metres) an imported edge may stray from the transformed source edge:
    /// vertices are added until it does not (see `EdgeDensifier`).
    public static let edgeTolerance = 0.01
    /// The most page cache an import may use (KiB; SQLite takes it only as pages are used).
    static let importCacheKiB = 256 * 1024

    /// `progress`: every few thousand features, how many were read (first pass, no fraction),
    /// then how many checked and written, with the fraction of the whole.
    public static func run(_ options: ImportOptions, into ws: Workspace, progress: (Int, Double?) -> Void = { _, _ in }) throws -> ImportReport {
        try LayerName.validate(options.layer)
        guard options.kind != .roadduty else {
            throw GridKeeperError.usage("roadduty layers are stake ranges along a road layer; they are imported with --road-layer (not available yet)")
        }
        let existing = try ws.layers()
        let jurisdictionBefore = try ws.jurisdictionLayer()?.name
        if existing.contains(where: { $0.name.lowercased() == options.layer.lowercased() }) && !options.replace {
            throw GridKeeperError.usage("layer '\(options.layer)' already exists in \(ws.path); pass --replace to replace it")
        }
        if try !existing.contains(where: { $0.name.lowercased() == options.layer.lowercased() }) && ws.gpkg.hasTable(options.layer) {
            throw GridKeeperError.usage("'\(options.layer)' is already a table in \(ws.path); choose another layer name")
        }
        if options.jurisdiction && options.kind != .area {
            throw GridKeeperError.usage("--jurisdiction applies to area layers (--kind area)")
        }

        let source = try SourceFormat.open(path: options.file, sourceLayer: options.sourceLayer, encoding: options.encoding)
        let scan = try SourceScan(source, file: options.file, maxVertices: maxVerticesPerFeature) { progress($0, nil) }
        guard scan.count > 0 else {
            throw GridKeeperError.badInput("\(options.file): no features to import")
        }
        var detected: String?
        var sourceCRS = options.crs ?? source.declaredCRS ?? .wgs84
        if options.detectCRS, let first = scan.first {
            let d = try CRSDetection.detect(first.coordinate, label: "\(options.file): \(first.label)")
            sourceCRS = d.crs
            detected = "--crs auto chose \(d.crs): \(d.reason)"
        }

        // The workspace CRS: fixed by init, or chosen now from the data's longitude.
        var workspaceCRS = try ws.crs()
        let chosen = workspaceCRS == nil
        let toLonLat: CoordinateTransform
        do { toLonLat = try transform(from: sourceCRS, to: .wgs84) } catch let e as GridKeeperError where options.crs == nil {
            // The CRS came from the file itself: the file is what is wrong.
            throw GridKeeperError.badInput("\(options.file): the CRS it declares cannot be used: \(e.message)")
        }
        var swap = false
        if let first = scan.first, !sourceCRS.isGeographic {
            swap = try ProjectedAxisOrder.needsSwap(first.coordinate, crs: sourceCRS, position: "\(options.file): \(first.label)")
        }
        if workspaceCRS == nil, let first = scan.first {
            let lonLat = try toLonLat.transform(swap ? Coordinate(first.coordinate.y, first.coordinate.x) : first.coordinate)
            guard let zone = CRS.gaussKrugerZone3(forLongitude: lonLat.x) else {
                throw GridKeeperError.badInput("\(options.file): longitude \(lonLat.x) is outside China's Gauss-Krüger zones; run `gridkeeper init --crs EPSG:n` first")
            }
            workspaceCRS = zone
        }
        guard let wsCRS = workspaceCRS else {
            throw GridKeeperError.badInput("\(options.file): no feature has a geometry to choose the workspace CRS by; run `gridkeeper init --crs EPSG:n` first")
        }
        guard case .epsg(let wsCode) = wsCRS else { throw GridKeeperError.workspace("workspace CRS \(wsCRS) is not an EPSG code") }
        let wsInfo = try Workspace.catalogInfo(wsCode)
        // A CRS pair PROJ cannot do fails here, before anything is written.
        _ = try transform(from: sourceCRS, to: wsCRS)

        let fields = try chooseFields(options, available: scan.fields.map(\.name))
        let definitions = columnDefinitions(scan.fields)
        let now = ISO8601DateFormatter().string(from: Date())
        let info = LayerInfo(name: options.layer, kind: options.kind, service: options.service, codeField: fields.code,
                             ownerField: fields.owner, nameField: fields.name, partial: options.partial,
                             jurisdiction: options.jurisdiction, source: options.file, sourceCRS: sourceCRS.description,
                             featureCount: scan.count, importedAt: now)
        let rules = ImportFeatureCheck.Rules(
            file: options.file, kind: options.kind, keyField: keyField(fields, kind: options.kind),
            directionField: options.kind == .road ? FieldNames.find(RoadDuty.directionFields, in: scan.fields.map(\.name)) : nil,
            swap: swap, sourceCRS: sourceCRS, workspaceCRS: wsCRS, srsID: Int32(wsCode),
            columns: definitions.map { ($0.source, $0.field.type) }, coordinates: CoordinateCheck(workspace: wsInfo))
        var check = rules.coordinates
        // Each repair, for the report and the repair register.
        var repaired: [(feature: String, problem: ValidityProblem)] = []
        var polygonal: [Geometry] = []
        // An answering layer's polygons, gathered as they are written, for its kept cell index:
        // about two doubles a vertex and a few a feature (densified vertices grow it).
        var indexed = PolygonSet.Builder()
        if options.kind.isAnswering { indexed.reserveCapacity(doubles: 2 * scan.vertexCount + 8 * scan.count) }
        var densified = 0
        var coverage: (method: String, geometry: Geometry)?

        // The rows and then the R-tree keep their pages in memory until the commit, instead of
        // SQLite's default 2 MiB cache writing them out and reading them back again and again.
        try ws.database.execute("PRAGMA cache_size = -\(importCacheKiB)")
        // The second read of the source checks each feature (on every core) and writes it at
        // once, in the one transaction: a bad feature anywhere leaves the workspace as it was.
        try ws.write {
            if chosen { try ws.setCRS(wsCRS) }
            let replaced = options.replace ? existing.first { $0.name.lowercased() == options.layer.lowercased() } : nil
            if let replaced {
                try LayerVersions.keepCurrent(of: replaced, closedAt: options.effective ?? .today, workspace: ws)
                try ws.dropLayer(replaced.name)
            }
            try ws.gpkg.createFeatureTable(options.layer, geometryType: options.kind.storedGeometryType, srsID: wsCode,
                                           fields: definitions.map(\.field), description: "GridKeeper \(options.kind.rawValue) layer", deferIndex: true)
            let columns = [GeoPackage.geometryColumn] + definitions.map(\.field.name)
            let insert = try ws.database.prepare("INSERT INTO \(quoteIdentifier(options.layer)) (\(columns.map(quoteIdentifier).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
            var repairs: [RepairRegister.Repair] = []
            var written = 0
            do { try source.rewind() } catch let e as SourceError { throw GridKeeperError.badInput(e.description) }
            let features = try CheckedFeatures({ try nextFeature(source) }, rules: rules, threads: ProcessInfo.processInfo.activeProcessorCount)
            while let (f, checked) = try features.next() {
                check.absorb(checked.coordinates)
                densified += checked.densified
                if let g = checked.polygonal {
                    polygonal.append(g)
                    if options.kind.isAnswering { indexed.add(g.polygons) }
                }
                try insert.bind(checked.values)
                _ = try insert.step()
                if let problem = checked.problem {
                    repaired.append((f.label, problem))
                    repairs.append(.init(layer: options.layer, fid: ws.database.lastInsertRowID, key: info.keyField.flatMap { f[$0]?.keyText },
                                         feature: f.label, reason: problem.reason, location: problem.location, repairedAt: now))
                }
                written += 1
                if written % 4096 == 0 { progress(written, Double(written) / Double(scan.count)) }
            }
            guard written == scan.count else {
                throw GridKeeperError.badInput("\(options.file): changed while it was imported (\(scan.count) features, then \(written)); import it again")
            }
            // The union (GEOS, one thread) runs beside the rest: the layer's own cell index needs
            // only its polygons, and is built meanwhile from the ones in memory.
            let parts = polygonal
            let union = options.kind.geometryFamily == .polygon ? BackgroundValue { Result { try Self.union(parts) } } : nil
            try ws.gpkg.completeSpatialIndex(options.layer)
            try RepairRegister.replace(layer: options.layer, with: repairs, workspace: ws)
            try ws.gpkg.refreshExtent(options.layer)
            try ws.saveLayer(info)
            try LayerVersions.recordCurrent(info, from: replaced == nil ? options.effective : options.effective ?? .today, workspace: ws)
            // The builder is not copyable and this closure only borrows it: an empty one takes its place.
            var gathered = PolygonSet.Builder()
            Swift.swap(&gathered, &indexed)
            let imported = options.kind.isAnswering ? KeptCellIndexes.Imported(polygons: gathered, layer: options.layer) : nil
            if let union {
                let u = try union.value.get()
                try ws.saveCoverage(layer: options.layer, method: u.method, geometry: u.geometry)
                coverage = u
            }
            if options.kind.isAnswering {
                // Other layers' kept indexes depend on this one only through the jurisdiction.
                let jurisdiction = try ws.jurisdictionLayer()?.name
                let alone = jurisdiction == jurisdictionBefore && jurisdiction != options.layer
                try KeptCellIndexes.refresh(workspace: ws, changed: alone ? options.layer : nil, imported: imported)
            }
            try ws.log(command: options.commandLine, layer: options.layer, counts: [
                "features": String(written), "repaired": String(repaired.count), "kind": options.kind.rawValue,
                "densified_vertices": String(densified),
            ])
        }
        var report = ImportReport(layer: options.layer, kind: options.kind, featureCount: scan.count, sourceCRS: sourceCRS,
                                  workspaceCRS: wsCRS, chosenCRS: chosen, repaired: repaired.map { ($0.feature, $0.problem.description) },
                                  warnings: [check.warning, swap ? "input coordinates are northing,easting (X = northing, as survey tables write them); swapped to easting,northing" : nil].compactMap { $0 },
                                  keyField: info.keyField, coverageMethod: coverage?.method, detectedCRS: detected)
        report.encodingNote = (source as? OGRConvertedSource)?.encodingNote
        report.densifiedVertices = densified
        return report
    }

    private static func nextFeature(_ source: FeatureSource) throws -> Feature? {
        do { return try source.next() } catch let e as SourceError { throw GridKeeperError.badInput(e.description) }
    }

    static func transform(from: CRS, to: CRS) throws -> CoordinateTransform {
        do { return try CoordinateTransform(from: from, to: to) } catch {
            throw GridKeeperError.usage("\(error)")
        }
    }

    private struct ChosenFields { var code: String?; var owner: String?; var name: String? }

    private static func chooseFields(_ o: ImportOptions, available: [String]) throws -> ChosenFields {
        func pick(_ given: String?, _ candidates: [String], _ flag: String) throws -> String? {
            if let given {
                guard let hit = available.first(where: { $0 == given }) ?? available.first(where: { $0.lowercased() == given.lowercased() }) else {
                    throw GridKeeperError.badInput("\(o.file): no field '\(given)' (given by \(flag)); fields: \(available.joined(separator: ", "))")
                }
                return hit
            }
            return FieldNames.find(candidates, in: available)
        }
        let f = ChosenFields(code: try pick(o.codeField, o.kind == .component ? FieldNames.componentCode : FieldNames.code, "--code-field"),
                             owner: try pick(o.ownerField, FieldNames.owner, "--owner-field"),
                             name: try pick(o.nameField, FieldNames.name, "--name-field"))
        switch o.kind {
        case .grid where f.code == nil:
            throw GridKeeperError.badInput("\(o.file): no grid code field found (tried \(FieldNames.code.joined(separator: ", "))); name it with --code-field. Fields: \(available.joined(separator: ", "))")
        case .duty where f.owner == nil:
            throw GridKeeperError.badInput("\(o.file): no owner field found (tried \(FieldNames.owner.joined(separator: ", "))); name it with --owner-field. Fields: \(available.joined(separator: ", "))")
        case .area where f.code == nil && f.name == nil:
            throw GridKeeperError.badInput("\(o.file): an area layer needs a code or name field; name one with --code-field. Fields: \(available.joined(separator: ", "))")
        default: return f
        }
    }

    /// The field whose empty value refuses a feature of `kind` (the value that says who answers).
    private static func keyField(_ fields: ChosenFields, kind: LayerKind) -> String? {
        switch kind {
        case .grid: fields.code
        case .duty: fields.owner
        case .area: fields.code ?? fields.name
        default: nil
        }
    }

    private struct ColumnDefinition { let source: String; let field: FieldDefinition }

    /// One column per source field, of the type `SourceScan` found its values take. Names that
    /// clash with fid/geom (or each other, ignoring case) get a suffix.
    private static func columnDefinitions(_ fields: [SourceScan.Field]) -> [ColumnDefinition] {
        var taken: Set<String> = ["fid", GeoPackage.geometryColumn]
        var result: [ColumnDefinition] = []
        for f in fields {
            var column = f.name, n = 1
            while taken.contains(column.lowercased()) { column = "\(f.name)_\(n)"; n += 1 }
            taken.insert(column.lowercased())
            result.append(ColumnDefinition(source: f.name, field: FieldDefinition(name: column, type: f.sqlType)))
        }
        return result
    }

    /// The layer's union: GEOS coverage union when the layer is a clean coverage, else the
    /// (slower) unary union that tolerates overlaps. The polygons go to GEOS as one MultiPolygon
    /// (GEOS checks nothing of a collection it is given; both unions take its polygons in order).
    /// Its GEOS objects live on the calling thread.
    private static func union(_ polygons: [Geometry]) throws -> (method: String, geometry: Geometry) {
        let all = try GeosGeometry(.multiPolygon(polygons.flatMap(\.polygons)))
        if let u = try? all.coverageUnion(), u.validityProblem() == nil {
            return ("coverage", .multiPolygon(try u.polygonalParts()))
        }
        return ("unary", .multiPolygon(try all.unaryUnion().polygonalParts()))
    }
}
