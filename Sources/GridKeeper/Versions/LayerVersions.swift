import Spatial

/// The versions of each layer (`gk_versions`, created on first use): grids are re-drawn and
/// contracts re-tendered, and a case is judged by the map of its day.
///
/// A version starts on its day, inclusive, and ends on the next version's day, exclusive; a
/// first version without `--effective` is in force from the beginning of time. The current
/// version stays the layer's GeoPackage table (QGIS shows today's map); an earlier one is a
/// feature table of its own, `<layer>__v<N>`, with its R-tree, so GDAL and QGIS read it too.
/// A layer imported before versions existed has one implicit version from the beginning of time.
public enum LayerVersions {
    static let table = "gk_versions"

    /// One version as `gk_versions` records it.
    public struct Version: Sendable, Equatable {
        public var layer: String
        public var number: Int
        /// The table that holds its features: the layer's own for the current version.
        public var table: String
        /// In force from this day, inclusive (nil: from the beginning of time) …
        public var validFrom: CalendarDay?
        /// … until this day, exclusive (nil: still in force).
        public var validTo: CalendarDay?
        public var codeField: String?, ownerField: String?, nameField: String?
        public var featureCount: Int
        public var importedAt: String
        public var source: String
    }

    private static func ensure(_ ws: Workspace) throws {
        _ = try ws.ensureTable(table, columns: """
        layer TEXT NOT NULL, version INTEGER NOT NULL, table_name TEXT NOT NULL, valid_from TEXT, valid_to TEXT,
        code_field TEXT, owner_field TEXT, name_field TEXT, feature_count INTEGER, imported_at TEXT, source TEXT,
        coverage_method TEXT, coverage BLOB, PRIMARY KEY (layer, version)
        """, description: "GridKeeper layer versions")
    }

    /// Every version of `layer`, oldest first (the implicit one for a layer imported before versions).
    public static func history(of info: LayerInfo, workspace ws: Workspace) throws -> [Version] {
        var versions: [Version] = []
        if try ws.hasTable(table) {
            versions = try ws.database.query("""
                SELECT version, table_name, valid_from, valid_to, code_field, owner_field, name_field, feature_count, imported_at, source
                FROM \(table) WHERE layer = ? ORDER BY version
                """, [.text(info.name)]).map { r in
                Version(layer: info.name, number: Int(r[0].text ?? "") ?? 0, table: r[1].text ?? info.name,
                        validFrom: r[2].text.flatMap(CalendarDay.init(parsing:)), validTo: r[3].text.flatMap(CalendarDay.init(parsing:)),
                        codeField: r[4].text, ownerField: r[5].text, nameField: r[6].text, featureCount: Int(r[7].text ?? "") ?? 0,
                        importedAt: r[8].text ?? "", source: r[9].text ?? "")
            }
        }
        if versions.last?.table != info.name {
            // The current version of a layer imported before versions were recorded.
            versions.append(Version(layer: info.name, number: (versions.last?.number ?? 0) + 1, table: info.name,
                                    validFrom: versions.last?.validTo, validTo: nil, codeField: info.codeField,
                                    ownerField: info.ownerField, nameField: info.nameField, featureCount: info.featureCount,
                                    importedAt: info.importedAt, source: info.source))
        }
        return versions
    }

    /// Keeps the current version of `info` as a table of its own, closed at `day`, before an
    /// import replaces the layer. A version that would start on the current one's own day
    /// corrects it instead: nothing is kept. Call inside the import's write.
    static func keepCurrent(of info: LayerInfo, closedAt day: CalendarDay, workspace ws: Workspace) throws {
        let current = try history(of: info, workspace: ws).last!
        if let from = current.validFrom, day < from {
            throw GridKeeperError.usage("--effective \(day): the current version of '\(info.name)' is in force from \(from); a new version must start on or after it")
        }
        try ensure(ws)
        if current.validFrom == day {
            try ws.database.run("DELETE FROM \(table) WHERE layer = ? AND version = ?", [.text(info.name), .integer(Int64(current.number))])
            return
        }
        let kept = "\(info.name)__v\(current.number)"
        let fields = try ws.gpkg.fields(of: info.name)
        try ws.gpkg.createFeatureTable(kept, geometryType: info.kind.storedGeometryType, srsID: try ws.srsID(), fields: fields,
                                       description: "GridKeeper \(info.kind.rawValue) layer '\(info.name)', version \(current.number) (until \(day))", deferIndex: true)
        let columns = (["fid", GeoPackage.geometryColumn] + fields.map(\.name)).map(quoteIdentifier).joined(separator: ", ")
        try ws.database.execute("INSERT INTO \(quoteIdentifier(kept)) (\(columns)) SELECT \(columns) FROM \(quoteIdentifier(info.name))")
        try ws.gpkg.completeSpatialIndex(kept)
        try ws.gpkg.refreshExtent(kept)
        let coverage = try ws.database.query("SELECT method, geom FROM gk_coverage WHERE layer = ?", [.text(info.name)]).first
        try ws.database.run("INSERT OR REPLACE INTO \(table) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            .text(info.name), .integer(Int64(current.number)), .text(kept), current.validFrom.map { .text($0.text) } ?? .null, .text(day.text),
            text(current.codeField), text(current.ownerField), text(current.nameField), .integer(Int64(current.featureCount)),
            .text(current.importedAt), .text(current.source), coverage?[0] ?? .null, coverage?[1] ?? .null,
        ])
    }

    /// Records `info`, just written, as the layer's current version, in force from `day` (nil:
    /// from the beginning of time). Call inside the import's write, after `keepCurrent`.
    static func recordCurrent(_ info: LayerInfo, from day: CalendarDay?, workspace ws: Workspace) throws {
        try ensure(ws)
        let last = Int64(try ws.database.scalar("SELECT max(version) FROM \(table) WHERE layer = ?", [.text(info.name)])?.text ?? "") ?? 0
        try ws.database.run("INSERT INTO \(table) VALUES (?,?,?,?,NULL,?,?,?,?,?,?,NULL,NULL)", [
            .text(info.name), .integer(last + 1), .text(info.name), day.map { .text($0.text) } ?? .null,
            text(info.codeField), text(info.ownerField), text(info.nameField), .integer(Int64(info.featureCount)),
            .text(info.importedAt), .text(info.source),
        ])
    }

    /// `info` as it was on `day`: the table and fields of the version in force then; nil when
    /// the layer had no version yet.
    static func layer(_ info: LayerInfo, at day: CalendarDay, workspace ws: Workspace) throws -> LayerInfo? {
        guard let v = try version(of: info, at: day, workspace: ws) else { return nil }
        var past = info
        past.versionTable = v.table == info.name ? nil : v.table
        past.codeField = v.codeField
        past.ownerField = v.ownerField
        past.nameField = v.nameField
        past.featureCount = v.featureCount
        return past
    }

    /// The version of `info` in force on `day`; nil when the layer had no version yet.
    static func version(of info: LayerInfo, at day: CalendarDay, workspace ws: Workspace) throws -> Version? {
        try history(of: info, workspace: ws).last { ($0.validFrom.map { $0 <= day } ?? true) && ($0.validTo.map { day < $0 } ?? true) }
    }

    /// `info` as it was on `day`; a usage error naming the first version's day when the layer
    /// had no version in force then.
    static func layerInForce(_ info: LayerInfo, at day: CalendarDay, workspace ws: Workspace) throws -> LayerInfo {
        guard let past = try layer(info, at: day, workspace: ws) else {
            let first = try history(of: info, workspace: ws).first?.validFrom
            throw GridKeeperError.usage("layer '\(info.name)' had no version in force on \(day)\(first.map { " (its first starts on \($0))" } ?? "")")
        }
        return past
    }

    /// The union of a past version (its jurisdiction), as it was stored when it was current.
    static func coverage(of table: String, workspace ws: Workspace) throws -> Geometry? {
        guard try ws.hasTable(self.table),
              case .blob(let b)? = try ws.database.scalar("SELECT coverage FROM \(self.table) WHERE table_name = ?", [.text(table)]) else { return nil }
        return try GeoPackageBlob.decode(b)
    }

    private static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
}
