import Foundation
import Spatial

/// `gridkeeper import`: reads a source, checks and repairs every geometry, transforms it into
/// the workspace CRS and writes the layer in one transaction. Any error leaves the workspace
/// exactly as it was.
public enum LayerImport {
    /// Limits, with a clear error above them instead of running out of memory: an import
    /// holds its layer in memory to check it before the one transaction that writes it.
    public static let maxFeatures = 5_000_000
    public static let maxVerticesPerFeature = 2_000_000
    /// How far (workspace metres) an imported edge may stray from the transformed source edge:
    /// vertices are added until it does not (see `EdgeDensifier`).
    public static let edgeTolerance = 0.01
    /// The most page cache an import may use (KiB; SQLite takes it only as pages are used).
    static let importCacheKiB = 256 * 1024

    /// `progress`: features read and checked so far, every few thousand.
    public static func run(_ options: ImportOptions, into ws: Workspace, progress: (Int) -> Void = { _ in }) throws -> ImportReport {
        try LayerName.validate(options.layer)
        guard options.kind != .roadduty else {
            throw GridKeeperError.usage("roadduty layers are stake ranges along a road layer; they are imported with --road-layer (not available yet)")
        }
        let existing = try ws.layers()
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
        var features = try readAll(source, file: options.file, progress: progress)
        var detected: String?
        var sourceCRS = options.crs ?? source.declaredCRS ?? .wgs84
        if options.detectCRS, let f = features.first(where: { $0.geometry != nil }), let c = f.geometry?.coordinates.first {
            let d = try CRSDetection.detect(c, label: "\(options.file): \(f.label)")
            sourceCRS = d.crs
            detected = "--crs auto chose \(d.crs): \(d.reason)"
        }
        guard !features.isEmpty else {
            throw GridKeeperError.badInput("\(options.file): no features to import")
        }

        // The workspace CRS: fixed by init, or chosen now from the data's longitude.
        var workspaceCRS = try ws.crs()
        let chosen = workspaceCRS == nil
        let toLonLat: CoordinateTransform
        do { toLonLat = try transform(from: sourceCRS, to: .wgs84) } catch let e as GridKeeperError where options.crs == nil {
            // The CRS came from the file itself: the file is what is wrong.
            throw GridKeeperError.badInput("\(options.file): the CRS it declares cannot be used: \(e.message)")
        }
        let swap = try axisSwap(features, crs: sourceCRS, file: options.file)
        if swap {
            features = features.map { f in
                var f = f
                f.geometry = f.geometry?.mapCoordinates { Coordinate($0.y, $0.x) }
                return f
            }
        }
        if workspaceCRS == nil {
            let first = try toLonLat.transform(features.first { $0.geometry != nil }!.geometry!.coordinates[0])
            guard let zone = CRS.gaussKrugerZone3(forLongitude: first.x) else {
                throw GridKeeperError.badInput("\(options.file): longitude \(first.x) is outside China's Gauss-Krüger zones; run `gridkeeper init --crs EPSG:n` first")
            }
            workspaceCRS = zone
        }
        let wsCRS = workspaceCRS!
        guard case .epsg(let wsCode) = wsCRS else { throw GridKeeperError.workspace("workspace CRS \(wsCRS) is not an EPSG code") }
        let wsInfo = try Workspace.catalogInfo(wsCode)
        let toWorkspace = try transform(from: sourceCRS, to: wsCRS)

        let fieldNames = orderedFieldNames(features)
        let fields = try chooseFields(options, available: fieldNames)
        var check = CoordinateCheck(workspace: wsInfo)
        // Each repair with the row it belongs to, for the repair register.
        var repaired: [(row: Int, feature: String, problem: ValidityProblem)] = []
        var rows: [(geometry: Geometry, properties: [(String, JSONValue)])] = []
        var geosParts: [GeosGeometry] = []
        var densified = 0
        rows.reserveCapacity(features.count)

        let directionField = options.kind == .road ? FieldNames.find(RoadDuty.directionFields, in: fieldNames) : nil
        for f in features {
            // Made only for a message: a million labels cost more than the checks.
            var label: String { "\(options.file): \(f.label)" }
            guard let g = f.geometry else {
                throw GridKeeperError.badInput("\(label), field geometry: the feature has no geometry")
            }
            // Refused here rather than when a lookup later measures along the road.
            if let directionField, let value = f.properties.first(where: { $0.0 == directionField })?.1.keyText, RoadDuty.isReversed(value) == nil {
                throw GridKeeperError.badInput("\(label), field \(directionField): '\(value)' is \(RoadDuty.directionHelp)")
            }
            guard g.family == options.kind.geometryFamily else {
                throw GridKeeperError.badInput("\(label), field geometry: a \(g.typeName) in a \(options.kind.rawValue) layer, which takes \(options.kind.storedGeometryType.lowercased()) geometries")
            }
            try requireKey(f, fields: fields, options: options, label: label)
            for c in g.coordinates {
                guard c.isFinite else { throw GridKeeperError.badInput("\(label), field geometry: coordinate (\(c.x), \(c.y)) is not a finite number") }
                let lonLat: Coordinate
                do { lonLat = try toLonLat.transform(c) } catch {
                    throw GridKeeperError.badInput("\(label), field geometry: \(error)")
                }
                try check.check(lonLat: lonLat, feature: label)
            }
            // A ring without area (all its points on one line) is no polygon, in any CRS.
            if g.family == .polygon, case let source = try GeosGeometry(g), source.validityProblem() != nil,
               try source.makeValid().polygonalParts().filter({ ($0.first?.count ?? 0) >= 4 }).isEmpty {
                throw GridKeeperError.badInput("\(label), field geometry: the polygon has no area (its points are on one line or repeated)")
            }
            var projected: Geometry
            do {
                let t = try toWorkspace.transformDensified(g, tolerance: edgeTolerance)
                projected = t.geometry
                densified += t.added
            } catch {
                throw GridKeeperError.badInput("\(label), field geometry: \(error)")
            }
            if g.family != .point {
                let geos = try GeosGeometry(projected)
                var valid = geos
                if let problem = geos.validityProblem() {
                    valid = try geos.makeValid()
                    // Zero-area rings collapse to nothing (or to empty polygons): that is an error, not a repair.
                    let parts = g.family == .polygon ? try valid.polygonalParts().filter { ($0.first?.count ?? 0) >= 4 } : []
                    if g.family == .polygon && parts.isEmpty {
                        throw GridKeeperError.badInput("\(label), field geometry: invalid (\(problem.reason)) and nothing polygonal is left after make-valid")
                    }
                    projected = g.family == .polygon ? .multiPolygon(parts) : try valid.geometry()
                    repaired.append((rows.count, f.label, problem))
                }
                if g.family == .polygon { geosParts.append(valid) }
            }
            rows.append((stored(projected), f.properties))
        }

        let coverage: (method: String, geometry: Geometry)? = options.kind.geometryFamily == .polygon ? try union(geosParts) : nil
        let now = ISO8601DateFormatter().string(from: Date())
        let info = LayerInfo(name: options.layer, kind: options.kind, service: options.service, codeField: fields.code,
                             ownerField: fields.owner, nameField: fields.name, partial: options.partial,
                             jurisdiction: options.jurisdiction, source: options.file, sourceCRS: sourceCRS.description,
                             featureCount: rows.count, importedAt: now)
        let definitions = columnDefinitions(fieldNames, features: features)
        // The rows and then the R-tree keep their pages in memory until the commit, instead of
        // SQLite's default 2 MiB cache writing them out and reading them back again and again.
        try ws.database.execute("PRAGMA cache_size = -\(importCacheKiB)")
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
            for (n, row) in rows.enumerated() {
                var values: [SQLValue] = [.blob(GeoPackageBlob.encode(row.geometry, srsID: Int32(wsCode)))]
                for d in definitions {
                    values.append(sqlValue(row.properties.first { $0.0 == d.source }?.1 ?? .null, as: d.field.type))
                }
                try insert.bind(values)
                _ = try insert.step()
                if repairs.count < repaired.count, repaired[repairs.count].row == n {
                    let r = repaired[repairs.count]
                    repairs.append(.init(layer: options.layer, fid: ws.database.lastInsertRowID, key: info.keyField.flatMap { features[n][$0]?.keyText },
                                         feature: r.feature, reason: r.problem.reason, location: r.problem.location, repairedAt: now))
                }
            }
            try ws.gpkg.completeSpatialIndex(options.layer)
            try RepairRegister.replace(layer: options.layer, with: repairs, workspace: ws)
            try ws.gpkg.refreshExtent(options.layer)
            try ws.saveLayer(info)
            try LayerVersions.recordCurrent(info, from: replaced == nil ? options.effective : options.effective ?? .today, workspace: ws)
            if let coverage { try ws.saveCoverage(layer: options.layer, method: coverage.method, geometry: coverage.geometry) }
            if options.kind.isAnswering { try KeptCellIndexes.refresh(workspace: ws) }
            try ws.log(command: options.commandLine, layer: options.layer, counts: [
                "features": String(rows.count), "repaired": String(repaired.count), "kind": options.kind.rawValue,
                "densified_vertices": String(densified),
            ])
        }
        var report = ImportReport(layer: options.layer, kind: options.kind, featureCount: rows.count, sourceCRS: sourceCRS,
                                  workspaceCRS: wsCRS, chosenCRS: chosen, repaired: repaired.map { ($0.feature, $0.problem.description) },
                                  warnings: [check.warning, swap ? "input coordinates are northing,easting (X = northing, as survey tables write them); swapped to easting,northing" : nil].compactMap { $0 },
                                  keyField: info.keyField, coverageMethod: coverage?.method, detectedCRS: detected)
        report.encodingNote = (source as? OGRConvertedSource)?.encodingNote
        report.densifiedVertices = densified
        return report
    }

    private static func readAll(_ source: FeatureSource, file: String, progress: (Int) -> Void) throws -> [Feature] {
        var features: [Feature] = []
        do {
            while let f = try source.next() {
                if let n = f.geometry?.coordinates.count, n > maxVerticesPerFeature {
                    throw GridKeeperError.badInput("\(file): \(f.label), field geometry: \(n) vertices, more than the limit of \(maxVerticesPerFeature) per feature; split it")
                }
                features.append(f)
                if features.count % 4096 == 0 { progress(features.count) }
                if features.count > maxFeatures {
                    throw GridKeeperError.badInput("\(file): more than \(maxFeatures) features, the limit of one layer; split the file into several layers")
                }
            }
        } catch let e as SourceError {
            throw GridKeeperError.badInput(e.description)
        }
        return features
    }

    static func transform(from: CRS, to: CRS) throws -> CoordinateTransform {
        do { return try CoordinateTransform(from: from, to: to) } catch {
            throw GridKeeperError.usage("\(error)")
        }
    }

    private static func axisSwap(_ features: [Feature], crs: CRS, file: String) throws -> Bool {
        guard !crs.isGeographic, let f = features.first(where: { $0.geometry != nil }), let c = f.geometry?.coordinates.first else { return false }
        return try ProjectedAxisOrder.needsSwap(c, crs: crs, position: "\(file): \(f.label)")
    }

    /// Polygon layers are stored as MultiPolygon, line layers as MultiLineString.
    private static func stored(_ g: Geometry) -> Geometry {
        switch g {
        case .polygon(let rings): .multiPolygon([rings])
        case .lineString(let cs): .multiLineString([cs])
        default: g
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

    private static func requireKey(_ f: Feature, fields: ChosenFields, options: ImportOptions, label: @autoclosure () -> String) throws {
        let keyField: String? = switch options.kind {
        case .grid: fields.code
        case .duty: fields.owner
        case .area: fields.code ?? fields.name
        default: nil
        }
        guard let keyField else { return }
        let v = f[keyField] ?? .null
        let text: String? = switch v {
        case .string(let s): s.trimmingCharacters(in: .whitespaces)
        case .integer(let i): String(i)
        case .number(let d): JSONValue.format(d)
        default: nil
        }
        if text?.isEmpty ?? true {
            throw GridKeeperError.badInput("\(label()), field \(keyField): empty; every \(options.kind.rawValue) feature needs a \(keyField) (the value that says who answers)")
        }
    }

    private static func orderedFieldNames(_ features: [Feature]) -> [String] {
        var seen = Set<String>(), names: [String] = []
        for f in features {
            for (k, _) in f.properties where seen.insert(k).inserted { names.append(k) }
        }
        return names
    }

    private struct ColumnDefinition { let source: String; let field: FieldDefinition }

    /// One column per source field; the SQL type is INTEGER or REAL only when every non-null
    /// value fits it, else TEXT. Names that clash with fid/geom (or each other, ignoring case) get a suffix.
    private static func columnDefinitions(_ names: [String], features: [Feature]) -> [ColumnDefinition] {
        var taken: Set<String> = ["fid", GeoPackage.geometryColumn]
        var result: [ColumnDefinition] = []
        for name in names {
            var allInt = true, allNumber = true, any = false
            for f in features {
                switch f[name] ?? .null {
                case .null: continue
                case .integer, .bool: any = true
                case .number: any = true; allInt = false
                default: any = true; allInt = false; allNumber = false
                }
                if !allNumber { break }
            }
            let type: FieldDefinition.SQLType = !any ? .text : (allInt ? .integer : (allNumber ? .real : .text))
            var column = name, n = 1
            while taken.contains(column.lowercased()) { column = "\(name)_\(n)"; n += 1 }
            taken.insert(column.lowercased())
            result.append(ColumnDefinition(source: name, field: FieldDefinition(name: column, type: type)))
        }
        return result
    }

    private static func sqlValue(_ v: JSONValue, as type: FieldDefinition.SQLType) -> SQLValue {
        switch v {
        case .null: .null
        case .bool(let b): .integer(b ? 1 : 0)
        case .integer(let i): type == .text ? .text(String(i)) : .integer(i)
        case .number(let d): type == .text ? .text(JSONValue.format(d)) : .real(d)
        case .string(let s): .text(s)
        case .array, .object: .text(v.text)
        }
    }

    /// The layer's union: GEOS coverage union when the layer is a clean coverage, else the
    /// (slower) unary union that tolerates overlaps.
    private static func union(_ parts: [GeosGeometry]) throws -> (method: String, geometry: Geometry) {
        if let u = try? GeosGeometry.coverageUnion(parts), u.validityProblem() == nil {
            return ("coverage", .multiPolygon(try u.polygonalParts()))
        }
        let u = try GeosGeometry.unaryUnion(parts)
        return ("unary", .multiPolygon(try u.polygonalParts()))
    }
}
