import CSQLite
import Foundation

/// A column of a feature table.
public struct FieldDefinition: Sendable, Equatable {
    public enum SQLType: String, Sendable { case text = "TEXT", integer = "INTEGER", real = "REAL" }
    public let name: String
    public let type: SQLType
    public init(name: String, type: SQLType) { self.name = name; self.type = type }
}

/// An OGC GeoPackage 1.3 file: the core tables, feature tables with geometry blobs, and the
/// `gpkg_rtree_index` extension kept in sync by the spec's triggers.
///
/// Knows nothing about grids or owners. One connection; not Sendable.
public final class GeoPackage {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public static let applicationID: Int32 = 0x4750_4B47  // 'GPKG'
    public static let userVersion: Int32 = 10300
    public static let geometryColumn = "geom"

    public let path: String
    public let database: SQLiteDatabase

    private init(path: String, database: SQLiteDatabase) {
        self.path = path
        self.database = database
        registerFunctions()
    }

    /// Creates a new, empty GeoPackage whose default CRS is `crs`. Fails if the file exists.
    public static func create(path: String, crs: CRSInfo) throws -> GeoPackage {
        if FileManager.default.fileExists(atPath: path) {
            throw Error(description: "\(path) already exists; remove it or choose another --ws")
        }
        let gpkg = GeoPackage(path: path, database: try SQLiteDatabase(path: path, mode: .create))
        do {
            try gpkg.database.transaction {
                try gpkg.database.execute("""
                PRAGMA application_id = \(applicationID);
                PRAGMA user_version = \(userVersion);
                CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
                  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
                CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
                  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
                  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
                CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
                  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
                  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
                  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
                  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
                CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
                  definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
                """)
                let undefined = "Undefined"
                try gpkg.database.run("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, ?, 'undefined cartesian coordinate reference system')", [.text(undefined)])
                try gpkg.database.run("INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, ?, 'undefined geographic coordinate reference system')", [.text(undefined)])
                try gpkg.addSpatialReference(try ProjCatalog.info(epsg: 4326))
                try gpkg.addSpatialReference(crs)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return gpkg
    }

    /// Opens an existing GeoPackage, checking that it is one before anything writes to it.
    public static func open(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5000) throws -> GeoPackage {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Error(description: "\(path) does not exist; create it with `gridkeeper init` or pass --ws")
        }
        let db: SQLiteDatabase
        do {
            db = try SQLiteDatabase(path: path, mode: readOnly ? .readOnly : .readWrite, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            _ = try db.scalar("SELECT count(*) FROM sqlite_master")
        } catch {
            throw Error(description: "\(path) is not an SQLite database (\(error))")
        }
        let app = try db.scalar("PRAGMA application_id")
        guard case .integer(let id) = app, Int32(truncatingIfNeeded: id) == applicationID else {
            throw Error(description: "\(path) is an SQLite file but not a GeoPackage (application_id is not 'GPKG')")
        }
        guard (try db.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('gpkg_contents','gpkg_geometry_columns','gpkg_spatial_ref_sys')")) == .integer(3) else {
            throw Error(description: "\(path) lacks the GeoPackage core tables")
        }
        return GeoPackage(path: path, database: db)
    }

    public func addSpatialReference(_ crs: CRSInfo) throws {
        try database.run("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)",
                         [.text(crs.name), .integer(Int64(crs.code)), .integer(Int64(crs.code)), .text(crs.wkt1)])
    }

    /// The organization of the spatial reference rows for GCJ-02 and BD-09.
    public static let offsetOrganization = "GRIDKEEPER"

    /// GCJ-02 and BD-09 have no EPSG code: a table in one of them refers to a row of
    /// organization GRIDKEEPER named `gcj02`/`bd09` (srs_id 990001/990002) with WGS84's
    /// definition (other readers draw it within about 500 m), which GridKeeper reads back.
    /// Returns the srs_id; `wgs84` is EPSG:4326's catalog entry.
    public func addOffsetReference(_ crs: CRS, wgs84: CRSInfo) throws -> Int {
        let id = crs == .gcj02 ? 990_001 : 990_002
        try database.run("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                         [.text(crs.description), .integer(Int64(id)), .text(Self.offsetOrganization), .integer(Int64(id)), .text(wgs84.wkt1),
                          .text("\(crs == .gcj02 ? "GCJ-02" : "BD-09"): WGS84 lon/lat with China's map offset")])
        return id
    }

    // MARK: feature tables

    /// Feature tables in gpkg_contents order of creation.
    public func featureTables() throws -> [String] {
        try database.query("SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid").compactMap { $0[0].text }
    }

    public func hasTable(_ name: String) throws -> Bool {
        try database.scalar("SELECT count(*) FROM sqlite_master WHERE lower(name) = lower(?)", [.text(name)]) != .integer(0)
    }

    /// Creates `table` with `fid`, `geom` and `fields`, registers it in the core tables and
    /// adds the R-tree index with the spec's triggers. Call inside a transaction.
    ///
    /// `deferIndex`: the R-tree table is created empty and without its triggers; the caller
    /// inserts the rows and then calls `completeSpatialIndex` in the same transaction. Triggers
    /// would insert into the R-tree row by row, each insert touching nodes all over the tree.
    public func createFeatureTable(_ table: String, geometryType: String, srsID: Int, fields: [FieldDefinition], description: String = "",
                                   deferIndex: Bool = false) throws {
        let t = quoteIdentifier(table)
        let columns = fields.map { "\(quoteIdentifier($0.name)) \($0.type.rawValue)" }
        try database.execute("CREATE TABLE \(t) (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \(quoteIdentifier(Self.geometryColumn)) \(geometryType)\(columns.map { ", " + $0 }.joined()))")
        try database.run("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, 'features', ?, ?, ?)",
                         [.text(table), .text(table), .text(description), .integer(Int64(srsID))])
        try database.run("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
                         [.text(table), .text(Self.geometryColumn), .text(geometryType), .integer(Int64(srsID))])
        try database.execute("CREATE VIRTUAL TABLE \(quoteIdentifier(Self.rtreeName(table))) USING rtree(id, minx, maxx, miny, maxy)")
        try database.run("INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                         [.text(table), .text(Self.geometryColumn)])
        if !deferIndex { try createSpatialIndexTriggers(table) }
    }

    /// The R-tree table of a feature table's geometry column (the spec's name).
    public static func rtreeName(_ table: String) -> String { "rtree_\(table)_\(geometryColumn)" }

    /// Tables of up to this many indexed rows have their R-tree ordered in memory (about
    /// 40 bytes a row at the peak); bigger ones through SQLite's sorter (`RTreeExternalOrder`),
    /// whose memory does not grow with the table.
    public static let rtreeRowsOrderedInMemory = 4_000_000

    /// Fills the R-tree of a table made with `deferIndex` from its rows, written as one packed
    /// tree (`RTreeBulkLoad`) in the order of the boxes' centres along a Hilbert curve over the
    /// table's extent (ties in fid order), then installs the spec's triggers. The rows are
    /// exactly those the insert trigger would have added: every non-null geometry that
    /// `ST_IsEmpty` reads as not empty, with `ST_MinX`… 's box (a blob whose box cannot be
    /// read: 0, as the triggers' NULLs become). Call inside the transaction that created the
    /// table.
    ///
    /// `rowsOrderedInMemory`: above this many rows the order is made by an external sort; the
    /// tree is the same either way, row for row of its three tables.
    public func completeSpatialIndex(_ table: String, rowsOrderedInMemory: Int = rtreeRowsOrderedInMemory) throws {
        let t = quoteIdentifier(table), rtree = Self.rtreeName(table)
        // A table whose fids span no more than the limit has no more rows: one pass then, as
        // the scan that counts the rows would cost a small table as much as ordering them.
        let ids = try ["min", "max"].map { try database.scalar("SELECT \($0)(fid) FROM \(t)") }
        if case .integer(let low) = ids[0], case .integer(let high) = ids[1], case let (span, overflow) = high.subtractingReportingOverflow(low),
           !overflow, span < Int64(rowsOrderedInMemory) {
            try orderInMemory(table)
        } else if let (count, extent) = try indexedRows(table) {
            if count <= rowsOrderedInMemory {
                try orderInMemory(table)
            } else {
                try RTreeExternalOrder.write(table: table, geometryColumn: Self.geometryColumn, count: count, extent: extent, rtree: rtree, database: database)
            }
        }
        try createSpatialIndexTriggers(table)
    }

    /// Calls `body` with the id and box of each row the R-tree indexes, in fid order.
    private func forEachIndexedRow(_ table: String, _ body: (Int64, Envelope) -> Void) throws {
        let g = quoteIdentifier(Self.geometryColumn)
        let select = try database.prepare("SELECT fid, \(g) FROM \(quoteIdentifier(table)) WHERE \(g) NOT NULL")
        while try select.step() {
            guard let id = select.integer(0), let box = select.withBlob(1, RTreeBulkLoad.indexedBox) ?? nil else { continue }
            body(id, box)
        }
    }

    /// How many rows the R-tree of `table` indexes and the extent of their boxes; nil: none.
    private func indexedRows(_ table: String) throws -> (count: Int, extent: Envelope)? {
        var count = 0, extent: Envelope?
        try forEachIndexedRow(table) { _, box in
            count += 1
            extent = extent.map { $0.union(box) } ?? box
        }
        return extent.map { (count, $0) }
    }

    /// Fills the R-tree of `table` with its rows ordered in memory.
    private func orderInMemory(_ table: String) throws {
        // The boxes as the tree stores them (24 bytes a row), and the extent the curve is laid over.
        var entries: [RTreeBulkLoad.Entry] = []
        var extent: Envelope?
        try forEachIndexedRow(table) { id, box in
            entries.append(RTreeBulkLoad.Entry(id: id, box))
            extent = extent.map { $0.union(box) } ?? box
        }
        guard let extent else { return }
        let frame = HilbertCurve.Frame(extent)
        // Each box's curve position above its index, sorted (stably): the boxes in curve order.
        var keys = entries.indices.map { i in UInt64(entries[i].curveIndex(frame)) << 32 | UInt64(i) }
        do {
            var scratch = [UInt64](repeating: 0, count: keys.count)
            keys.withUnsafeMutableBufferPointer { k in scratch.withUnsafeMutableBufferPointer { RadixSort.sort(k, scratch: $0) } }
        }
        // The entries put in that order in place, cycle by cycle (no second copy of them);
        // the top bit of a key, once its curve position is dropped, marks a place filled.
        let done: UInt64 = 1 << 63
        for i in keys.indices { keys[i] &= 0xFFFF_FFFF }
        for start in keys.indices where keys[start] & done == 0 {
            let carried = entries[start]
            var at = start
            while true {
                let from = Int(keys[at] & 0xFFFF_FFFF)
                keys[at] |= done
                if from == start { entries[at] = carried; break }
                entries[at] = entries[from]
                at = from
            }
        }
        keys = []
        try RTreeBulkLoad.write(entries, rtree: Self.rtreeName(table), database: database)
    }

    private func createSpatialIndexTriggers(_ table: String) throws {
        let c = Self.geometryColumn
        let rtreeName = Self.rtreeName(table)
        let r = quoteIdentifier(rtreeName), t = quoteIdentifier(table), g = quoteIdentifier(c)
        func trig(_ suffix: String) -> String { quoteIdentifier("\(rtreeName)_\(suffix)") }
        let values = "NEW.fid, ST_MinX(NEW.\(g)), ST_MaxX(NEW.\(g)), ST_MinY(NEW.\(g)), ST_MaxY(NEW.\(g))"
        try database.execute("""
        CREATE TRIGGER \(trig("insert")) AFTER INSERT ON \(t) WHEN (new.\(g) NOT NULL AND NOT ST_IsEmpty(NEW.\(g)))
          BEGIN INSERT OR REPLACE INTO \(r) VALUES (\(values)); END;
        CREATE TRIGGER \(trig("update1")) AFTER UPDATE OF \(g) ON \(t) WHEN OLD.fid = NEW.fid AND (NEW.\(g) NOTNULL AND NOT ST_IsEmpty(NEW.\(g)))
          BEGIN INSERT OR REPLACE INTO \(r) VALUES (\(values)); END;
        CREATE TRIGGER \(trig("update2")) AFTER UPDATE OF \(g) ON \(t) WHEN OLD.fid = NEW.fid AND (NEW.\(g) ISNULL OR ST_IsEmpty(NEW.\(g)))
          BEGIN DELETE FROM \(r) WHERE id = OLD.fid; END;
        CREATE TRIGGER \(trig("update3")) AFTER UPDATE ON \(t) WHEN OLD.fid != NEW.fid AND (NEW.\(g) NOTNULL AND NOT ST_IsEmpty(NEW.\(g)))
          BEGIN DELETE FROM \(r) WHERE id = OLD.fid; INSERT OR REPLACE INTO \(r) VALUES (\(values)); END;
        CREATE TRIGGER \(trig("update4")) AFTER UPDATE ON \(t) WHEN OLD.fid != NEW.fid AND (NEW.\(g) ISNULL OR ST_IsEmpty(NEW.\(g)))
          BEGIN DELETE FROM \(r) WHERE id IN (OLD.fid, NEW.fid); END;
        CREATE TRIGGER \(trig("delete")) AFTER DELETE ON \(t) WHEN old.\(g) NOT NULL
          BEGIN DELETE FROM \(r) WHERE id = OLD.fid; END;
        """)
    }

    /// Removes a feature table, its index and its registrations. Call inside a transaction.
    public func dropFeatureTable(_ table: String) throws {
        try database.execute("DROP TABLE IF EXISTS \(quoteIdentifier(Self.rtreeName(table))); DROP TABLE IF EXISTS \(quoteIdentifier(table));")
        for core in ["gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"] {
            try database.run("DELETE FROM \(core) WHERE table_name = ?", [.text(table)])
        }
    }

    /// Recomputes the extent in gpkg_contents from the geometry envelopes (exact doubles; the
    /// R-tree stores 32-bit floats rounded outwards).
    public func refreshExtent(_ table: String) throws {
        let t = quoteIdentifier(table), g = quoteIdentifier(Self.geometryColumn)
        try database.run("""
        UPDATE gpkg_contents SET (min_x, min_y, max_x, max_y) =
          (SELECT min(ST_MinX(\(g))), min(ST_MinY(\(g))), max(ST_MaxX(\(g))), max(ST_MaxY(\(g))) FROM \(t)),
          last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?
        """, [.text(table)])
    }

    /// The attribute columns of a feature table (everything but fid and geometry).
    public func fields(of table: String) throws -> [FieldDefinition] {
        let geometryColumn = try database.scalar("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", [.text(table)])?.text ?? Self.geometryColumn
        return try database.query("SELECT name, type, pk FROM pragma_table_info(?)", [.text(table)]).compactMap { row in
            guard let name = row[0].text, name != geometryColumn, row[2] == .integer(0) else { return nil }
            let type = (row[1].text ?? "").uppercased()
            let sqlType: FieldDefinition.SQLType = type.contains("INT") || type == "BOOLEAN" ? .integer
                : (type.contains("REAL") || type.contains("DOUBLE") || type.contains("FLOAT") ? .real : .text)
            return FieldDefinition(name: name, type: sqlType)
        }
    }

    /// The geometry column and its CRS as gpkg_geometry_columns records them.
    public func geometryColumn(of table: String) throws -> (name: String, srsID: Int, type: String) {
        guard let row = try database.query("SELECT column_name, srs_id, geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?", [.text(table)]).first,
              let name = row[0].text, case .integer(let srs) = row[1] else {
            throw Error(description: "\(path) has no feature table '\(table)'")
        }
        return (name, Int(srs), row[2].text ?? "GEOMETRY")
    }

    /// The primary-key column of a table (GDAL calls it fid, others id or objectid).
    public func primaryKey(of table: String) throws -> String {
        try database.query("SELECT name FROM pragma_table_info(?) WHERE pk = 1", [.text(table)]).first?[0].text ?? "rowid"
    }

    /// Feature ids whose envelope meets `envelope` (inclusive), through the R-tree.
    public func candidates(in table: String, envelope e: Envelope) throws -> [Int64] {
        let rtree = quoteIdentifier(Self.rtreeName(table))
        return try database.query("SELECT id FROM \(rtree) WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
                                  [.real(e.maxX), .real(e.minX), .real(e.maxY), .real(e.minY)]).compactMap {
            if case .integer(let id) = $0[0] { return id }
            return nil
        }
    }

    // MARK: SQL functions

    /// The `ST_*` functions that the R-tree triggers call; GDAL and QGIS register the same.
    private func registerFunctions() {
        func register(_ name: String, _ fn: @escaping @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void) {
            sqlite3_create_function_v2(database.handle, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, fn, nil, nil, nil)
        }
        register("ST_IsEmpty") { ctx, _, args in
            guard let arg = args?[0], let p = sqlite3_value_blob(arg) else { return sqlite3_result_null(ctx) }
            let blob = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(arg)))
            guard let h = try? GeoPackageBlob.header(blob) else { return sqlite3_result_null(ctx) }
            sqlite3_result_int(ctx, h.isEmpty ? 1 : 0)
        }
        register("ST_MinX") { ctx, _, args in resultEnvelope(ctx, args) { $0.minX } }
        register("ST_MaxX") { ctx, _, args in resultEnvelope(ctx, args) { $0.maxX } }
        register("ST_MinY") { ctx, _, args in resultEnvelope(ctx, args) { $0.minY } }
        register("ST_MaxY") { ctx, _, args in resultEnvelope(ctx, args) { $0.maxY } }
        RTreeExternalOrder.register(on: database)
    }
}

private func resultEnvelope(_ ctx: OpaquePointer?, _ args: UnsafeMutablePointer<OpaquePointer?>?, _ pick: (Envelope) -> Double) {
    guard let arg = args?[0], let p = sqlite3_value_blob(arg) else { return sqlite3_result_null(ctx) }
    let blob = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(arg)))
    guard let envelope = try? GeoPackageBlob.envelope(blob) else { return sqlite3_result_null(ctx) }
    sqlite3_result_double(ctx, pick(envelope))
}
