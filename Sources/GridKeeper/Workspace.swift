import Foundation
import Spatial

/// A GridKeeper workspace: one GeoPackage file holding every layer, plus GridKeeper's own
/// `gk_` tables (layer metadata, coverage unions, operation log; the dispute register, ruling
/// history and repair register are created by the first write that needs them).
///
/// Every write goes through `write`, one SQLite transaction: it all lands or none of it does.
public final class Workspace {
    /// The gk_ schema this build reads and writes. A file with a larger number is refused.
    public static let schemaVersion = 1
    public static let defaultPath = "gridkeeper.gpkg"

    public let path: String
    let gpkg: GeoPackage
    var database: SQLiteDatabase { gpkg.database }

    private init(path: String, gpkg: GeoPackage) {
        self.path = path
        self.gpkg = gpkg
    }

    /// Creates a workspace. Without `crs`, the first import chooses the CGCS2000 3-degree
    /// Gauss-Krüger zone of its data.
    public static func create(path: String, crs: CRS?) throws -> Workspace {
        if let crs {
            guard case .epsg(let code) = crs else {
                throw GridKeeperError.usage("the workspace CRS must be a projected EPSG CRS in metres (e.g. EPSG:4549), not \(crs)")
            }
            let info = try catalogInfo(code)
            guard !info.isGeographic else {
                throw GridKeeperError.usage("EPSG:\(code) (\(info.name)) is geographic; the workspace needs a projected CRS in metres, e.g. EPSG:4549")
            }
        }
        let gpkg: GeoPackage
        do {
            gpkg = try GeoPackage.create(path: path, crs: try catalogInfo(4326))
        } catch let e as GeoPackage.Error {
            throw GridKeeperError.workspace(e.description)
        } catch {
            throw GridKeeperError.workspace("cannot create \(path): \(error)")
        }
        let ws = Workspace(path: path, gpkg: gpkg)
        do {
            try ws.database.transaction {
                try ws.database.execute("""
                CREATE TABLE gk_meta (key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE gk_layers (name TEXT PRIMARY KEY, kind TEXT NOT NULL, service TEXT, code_field TEXT, owner_field TEXT,
                  name_field TEXT, partial INTEGER NOT NULL DEFAULT 0, jurisdiction INTEGER NOT NULL DEFAULT 0, source TEXT,
                  source_crs TEXT, feature_count INTEGER, imported_at TEXT);
                CREATE TABLE gk_coverage (layer TEXT PRIMARY KEY REFERENCES gk_layers(name) ON DELETE CASCADE, method TEXT, geom BLOB);
                CREATE TABLE gk_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                  command TEXT NOT NULL, layer TEXT, counts TEXT);
                """)
                // Registered as GeoPackage attribute tables, so GDAL and QGIS show them as non-spatial layers.
                for (table, description) in [("gk_meta", "GridKeeper workspace settings"), ("gk_layers", "GridKeeper layer metadata"),
                                             ("gk_coverage", "GridKeeper layer unions (jurisdiction)"), ("gk_log", "GridKeeper operation log")] {
                    try ws.database.run("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)",
                                        [.text(table), .text(table), .text(description)])
                }
                try ws.database.run("INSERT INTO gk_meta VALUES ('schema_version', ?)", [.text(String(schemaVersion))])
                if let crs { try ws.setCRS(crs) }
                try ws.log(command: CommandLine.arguments.joined(separator: " "), layer: nil, counts: ["crs": crs?.description ?? "auto"])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw GridKeeperError.workspace("cannot initialise \(path): \(error)")
        }
        return ws
    }

    /// How long a command waits for another process's write to finish before it gives up
    /// with exit 4.
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5000

    public static func open(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds) throws -> Workspace {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw GridKeeperError.workspace("\(path) is a directory, not a workspace file; pass --ws FILE")
        }
        let gpkg: GeoPackage
        do {
            gpkg = try GeoPackage.open(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch let e as GeoPackage.Error {
            throw GridKeeperError.workspace(e.description)
        }
        let ws = Workspace(path: path, gpkg: gpkg)
        guard try ws.database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'gk_meta'") == .integer(1) else {
            throw GridKeeperError.workspace("\(path) is a GeoPackage but not a GridKeeper workspace (no gk_meta table); create one with `gridkeeper init`")
        }
        let version = Int(try ws.meta("schema_version") ?? "") ?? 0
        guard version >= 1, version <= schemaVersion else {
            throw GridKeeperError.workspace("\(path) has workspace schema version \(version); this gridkeeper reads version \(schemaVersion). Upgrade gridkeeper.")
        }
        return ws
    }

    static func catalogInfo(_ code: Int) throws -> CRSInfo {
        do { return try ProjCatalog.info(epsg: code) } catch { throw GridKeeperError.usage("\(error)") }
    }

    func meta(_ key: String) throws -> String? {
        try database.scalar("SELECT value FROM gk_meta WHERE key = ?", [.text(key)])?.text
    }

    /// The workspace CRS; nil until `init --crs` or the first import sets it.
    public func crs() throws -> CRS? {
        guard let text = try meta("crs") else { return nil }
        return try CRS(parsing: text)
    }

    /// The CRS of a workspace that has layers to answer from; an error naming what to do when it has none.
    func answeringCRS() throws -> CRS {
        guard let crs = try crs() else {
            throw GridKeeperError.workspace("\(path) has no layers yet; import some with `gridkeeper import`")
        }
        return crs
    }

    /// Sets the workspace CRS. Call inside `write`.
    func setCRS(_ crs: CRS) throws {
        guard case .epsg(let code) = crs else { return }
        try gpkg.addSpatialReference(try Self.catalogInfo(code))
        try database.run("INSERT OR REPLACE INTO gk_meta VALUES ('crs', ?)", [.text(crs.description)])
    }

    /// Runs `body` inside one read transaction: it sees one consistent state of the file.
    /// `mapped`: with the file memory-mapped meanwhile (SQLite's mmap I/O, up to `mappedBytes`),
    /// for loads of whole layers and kept indexes: pages are copied from the mapping instead of
    /// with one system call each.
    public func read<T>(mapped: Bool = false, _ body: () throws -> T) throws -> T {
        guard mapped else { return try database.readTransaction(body) }
        try database.execute("PRAGMA mmap_size = \(Self.mappedBytes)")
        defer { try? database.execute("PRAGMA mmap_size = 0") }
        return try database.readTransaction(body)
    }

    /// How much of the file `read(mapped: true)` maps.
    static let mappedBytes = 1 << 30

    /// SQLite's `PRAGMA data_version` of this connection: it changes when another connection
    /// (another process, or this one's other handles) commits to the file. A long-lived reader
    /// compares it to know its snapshot is stale (`PipeLookup`, the service).
    public func dataVersion() throws -> Int64 {
        guard case .integer(let v)? = try database.scalar("PRAGMA data_version") else { return 0 }
        return v
    }

    /// Runs `body` as one transaction; any error rolls everything back.
    func write<T>(_ body: () throws -> T) throws -> T {
        do {
            return try database.transaction(body)
        } catch let e as SQLiteError where e.isBusy {
            throw GridKeeperError.workspace("\(path) is locked by another gridkeeper process writing to it; try again when it has finished")
        }
    }

    /// Appends to gk_log. Call inside `write`.
    func log(command: String, layer: String?, counts: [String: String]) throws {
        let json = JSONValue.object(counts.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).text
        try database.run("INSERT INTO gk_log (command, layer, counts) VALUES (?, ?, ?)",
                         [.text(command), layer.map { .text($0) } ?? .null, .text(json)])
    }

    /// Creates one of GridKeeper's own tables the first time a write needs it, registered as a
    /// GeoPackage attribute table; a workspace made before the table existed stays readable
    /// (readers treat a missing table as empty). True when it was created now. Call inside `write`.
    @discardableResult
    func ensureTable(_ name: String, columns: String, description: String) throws -> Bool {
        guard try !gpkg.hasTable(name) else { return false }
        try database.execute("CREATE TABLE \(quoteIdentifier(name)) (\(columns))")
        try database.run("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)",
                         [.text(name), .text(name), .text(description)])
        return true
    }

    /// Whether the workspace has `name` (a `gk_` table created on first use).
    func hasTable(_ name: String) throws -> Bool { try gpkg.hasTable(name) }

    // MARK: layers

    public func layers() throws -> [LayerInfo] {
        try database.query("SELECT name, kind, service, code_field, owner_field, name_field, partial, jurisdiction, source, source_crs, feature_count, imported_at FROM gk_layers ORDER BY rowid").map { r in
            LayerInfo(name: r[0].text ?? "", kind: LayerKind(rawValue: r[1].text ?? "") ?? .duty, service: r[2].text,
                      codeField: r[3].text, ownerField: r[4].text, nameField: r[5].text,
                      partial: r[6] == .integer(1), jurisdiction: r[7] == .integer(1), source: r[8].text ?? "",
                      sourceCRS: r[9].text ?? "", featureCount: Int(r[10].text ?? "") ?? 0, importedAt: r[11].text ?? "")
        }
    }

    public func layer(named name: String) throws -> LayerInfo {
        guard let l = try layers().first(where: { $0.name == name }) else {
            let known = try layers().map(\.name)
            throw GridKeeperError.usage("no layer '\(name)' in \(path)" + (known.isEmpty ? " (the workspace has no layers yet)" : "; layers: \(known.joined(separator: ", "))"))
        }
        return l
    }

    func saveLayer(_ l: LayerInfo) throws {
        try database.run("INSERT OR REPLACE INTO gk_layers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [
            .text(l.name), .text(l.kind.rawValue), l.service.map { .text($0) } ?? .null,
            l.codeField.map { .text($0) } ?? .null, l.ownerField.map { .text($0) } ?? .null, l.nameField.map { .text($0) } ?? .null,
            .integer(l.partial ? 1 : 0), .integer(l.jurisdiction ? 1 : 0), .text(l.source), .text(l.sourceCRS),
            .integer(Int64(l.featureCount)), .text(l.importedAt),
        ])
    }

    /// Removes a layer with its table, index, coverage and metadata. Call inside `write`.
    func dropLayer(_ name: String) throws {
        try gpkg.dropFeatureTable(name)
        try database.run("DELETE FROM gk_coverage WHERE layer = ?", [.text(name)])
        try database.run("DELETE FROM gk_layers WHERE name = ?", [.text(name)])
    }

    // MARK: coverage (union of a polygon layer)

    func saveCoverage(layer: String, method: String, geometry: Geometry) throws {
        let srs = try srsID()
        try database.run("INSERT OR REPLACE INTO gk_coverage VALUES (?, ?, ?)",
                         [.text(layer), .text(method), .blob(GeoPackageBlob.encode(geometry, srsID: Int32(srs)))])
    }

    /// The union of the version of a layer that `info` stands for.
    func coverage(of info: LayerInfo) throws -> Geometry? {
        try info.versionTable.map { try LayerVersions.coverage(of: $0, workspace: self) } ?? coverage(layer: info.name)
    }

    func coverage(layer: String) throws -> Geometry? {
        guard case .blob(let b)? = try database.scalar("SELECT geom FROM gk_coverage WHERE layer = ?", [.text(layer)]) else { return nil }
        return try GeoPackageBlob.decode(b)
    }

    func srsID() throws -> Int {
        guard case .epsg(let code)? = try crs() else { throw GridKeeperError.workspace("the workspace has no CRS yet") }
        return code
    }

    /// The layer whose union is the jurisdiction (ARCHITECTURE.md, "Keys, statuses, precedence"): the area layer imported with
    /// --jurisdiction, else the grid layer, else nil (each layer is then its own jurisdiction).
    public func jurisdictionLayer() throws -> LayerInfo? {
        let all = try layers()
        return all.first { $0.kind == .area && $0.jurisdiction } ?? all.first { $0.kind == .grid }
    }
}
