/// Streams the features of one table of a GeoPackage (ours, GDAL's or QGIS's).
public final class GeoPackageFeatureSource: FeatureSource {
    private let gpkg: GeoPackage
    private let statement: SQLiteStatement
    private let path: String
    /// The attribute fields, in table order (beyond fid and geometry).
    public let fieldNames: [String]
    /// Where the geometry and each field are in a result row (0 is the primary key).
    private let geometryIndex: Int
    private let fieldIndices: [Int]
    private var index = 0
    public let table: String
    public let declaredCRS: CRS?
    /// How many features the table holds (for progress).
    public let featureCount: Int

    /// Opens `table`, or the file's only feature table when `table` is nil; `filter` keeps the
    /// features whose field equals the value (bound, never spliced into SQL); `window` keeps the
    /// features whose envelope meets it (in the table's CRS, through its R-tree index).
    public init(path: String, table: String?, filter: (field: String, value: String)? = nil, window: Envelope? = nil) throws {
        let gpkg: GeoPackage
        do { gpkg = try GeoPackage.open(path: path, readOnly: true) } catch {
            throw SourceError(file: path, position: "", message: "\(error)")
        }
        let tables = try gpkg.featureTables()
        let chosen: String
        if let table {
            guard let hit = tables.first(where: { $0 == table }) ?? tables.first(where: { $0.lowercased() == table.lowercased() }) else {
                throw SourceError(file: path, position: "", message: "no feature table '\(table)'; tables: \(tables.joined(separator: ", "))")
            }
            chosen = hit
        } else {
            guard tables.count == 1 else {
                throw SourceError(file: path, position: "", message: tables.isEmpty ? "the GeoPackage has no feature tables"
                    : "the GeoPackage has \(tables.count) feature tables (\(tables.joined(separator: ", "))); name one with --source-layer")
            }
            chosen = tables[0]
        }
        let geometry = try gpkg.geometryColumn(of: chosen)
        let pk = try gpkg.primaryKey(of: chosen)
        // The columns are read by position (`SELECT pk, *`), not by name: a name that is not
        // valid UTF-8 (GDAL cuts UTF-8 Shapefile names at 10 bytes) comes back repaired, and
        // SQLite would take the repaired name in double quotes for a string literal.
        var fields: [String] = [], fieldIndices: [Int] = [], geometryIndex: Int?
        for (i, row) in try gpkg.database.query("SELECT name, pk FROM pragma_table_info(?)", [.text(chosen)]).enumerated() {
            let name = row[0].text ?? ""
            if name == geometry.name { geometryIndex = 1 + i } else if row[1] == .integer(0) && name != pk {
                fields.append(name)
                fieldIndices.append(1 + i)
            }
        }
        guard let geometryIndex else {
            throw SourceError(file: path, position: "", message: "table \(chosen) has no geometry column \(geometry.name)")
        }
        self.geometryIndex = geometryIndex
        self.fieldIndices = fieldIndices
        self.gpkg = gpkg
        self.path = path
        self.table = chosen
        self.fieldNames = fields
        featureCount = Int(try gpkg.database.scalar("SELECT count(*) FROM \(quoteIdentifier(chosen))")?.text ?? "") ?? 0
        if let filter, !fields.contains(filter.field) {
            throw SourceError(file: path, position: "", message: "table \(chosen) has no field '\(filter.field)'; fields: \(fields.joined(separator: ", "))")
        }
        var conditions: [String] = [], values: [SQLValue] = []
        if let filter {
            conditions.append("\(quoteIdentifier(filter.field)) = ?")
            values.append(.text(filter.value))
        }
        if let window {
            let rtree = quoteIdentifier("rtree_\(chosen)_\(geometry.name)")
            conditions.append("\(quoteIdentifier(pk)) IN (SELECT id FROM \(rtree) WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)")
            values += [.real(window.maxX), .real(window.minX), .real(window.maxY), .real(window.minY)]
        }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        statement = try gpkg.database.prepare("SELECT \(quoteIdentifier(pk)), * FROM \(quoteIdentifier(chosen))\(condition) ORDER BY \(quoteIdentifier(pk))")
        if !values.isEmpty { try statement.bind(values) }
        let org = try gpkg.database.scalar("SELECT upper(organization) FROM gpkg_spatial_ref_sys WHERE srs_id = ?", [.integer(Int64(geometry.srsID))])?.text
        let orgCode = try gpkg.database.scalar("SELECT organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?", [.integer(Int64(geometry.srsID))])
        if org == "EPSG", case .integer(let c)? = orgCode {
            declaredCRS = .epsg(Int(c))
        } else if org == GeoPackage.offsetOrganization.uppercased() {
            let name = try gpkg.database.scalar("SELECT srs_name FROM gpkg_spatial_ref_sys WHERE srs_id = ?", [.integer(Int64(geometry.srsID))])?.text
            declaredCRS = name.flatMap { try? CRS(parsing: $0) }
        } else {
            declaredCRS = nil
        }
    }

    /// Runs the query again (with the same filter and window).
    public func rewind() throws {
        statement.reset()
        index = 0
    }

    public func next() throws -> Feature? {
        guard try statement.step() else { return nil }
        defer { index += 1 }
        let id = statement.value(0).text
        var geometry: Geometry?
        if case .blob(let b) = statement.value(geometryIndex), !b.isEmpty {
            do {
                let g = try GeoPackageBlob.decode(b)
                geometry = g.isEmpty ? nil : g
            } catch {
                throw SourceError(file: path, position: "table \(table), fid \(id ?? "?")", message: "geometry blob: \(error)")
            }
        }
        var properties: [(String, JSONValue)] = []
        for (name, column) in zip(fieldNames, fieldIndices) {
            let v: JSONValue = switch statement.value(column) {
            case .null, .blob: .null
            case .integer(let x): .integer(x)
            case .real(let x): .number(x)
            case .text(let s): .string(s)
            }
            properties.append((name, v))
        }
        return Feature(index: index, line: 0, id: id, properties: properties, geometry: geometry)
    }
}
