import Spatial

/// Where rosters live: `gk_roster`, one GeoPackage attributes table (registered in
/// gpkg_contents with data_type 'attributes', so QGIS and `ogrinfo` list and read it), one
/// row per person and key, `layer` naming the layer whose key it is. Created by the first
/// roster import; a workspace without it has no rosters.
enum RosterTable {
    static let name = "gk_roster"

    /// Replaces every row of `layer` with `entries`, in their order. Call inside `write`.
    static func replace(layer: String, with entries: [(entry: RosterEntry, line: Int)], source: String, workspace ws: Workspace) throws {
        try ws.ensureTable(name, columns: """
            fid INTEGER PRIMARY KEY AUTOINCREMENT, layer TEXT NOT NULL, key TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
            phone TEXT NOT NULL, mobile TEXT NOT NULL, valid_from TEXT, valid_to TEXT, source TEXT, source_line INTEGER
            """, description: "GridKeeper staff rosters: people linked to keys of a layer (mobile is personal data)")
        // A one-shot lookup reads the rows of a few keys (`entries(layer:keys:)`).
        try ws.database.execute("CREATE INDEX IF NOT EXISTS gk_roster_layer_key ON \(name) (layer, key)")
        try ws.database.run("DELETE FROM \(name) WHERE layer = ?", [.text(layer)])
        let insert = try ws.database.prepare("""
            INSERT INTO \(name) (layer, key, role, name, phone, mobile, valid_from, valid_to, source, source_line) VALUES (?,?,?,?,?,?,?,?,?,?)
            """)
        for (e, line) in entries {
            let m = e.member
            try insert.bind([.text(layer), .text(e.key), .text(m.role), .text(m.name), .text(m.phone), .text(m.mobile),
                             e.validFrom.map { .text($0.text) } ?? .null, e.validTo.map { .text($0.text) } ?? .null,
                             .text(source), .integer(Int64(line))])
            _ = try insert.step()
        }
    }

    /// The days on which who is on duty changes: each window's first day and the day after its
    /// last (windows are inclusive), for work over many dates (`VersionEpochs`).
    static func changeDays(workspace ws: Workspace) throws -> Set<CalendarDay> {
        guard try ws.hasTable(name) else { return [] }
        var days = Set<CalendarDay>()
        for r in try ws.database.query("SELECT DISTINCT valid_from, valid_to FROM \(name)") {
            if let from = r[0].text.flatMap(CalendarDay.init(parsing:)) { days.insert(from) }
            if let to = r[1].text.flatMap(CalendarDay.init(parsing:)), to.text < "9999-12-31" { days.insert(to.next) }
        }
        return days
    }

    /// Whether `layer` has a roster.
    static func has(layer: String, workspace ws: Workspace) throws -> Bool {
        guard try ws.hasTable(name) else { return false }
        return try ws.database.scalar("SELECT EXISTS (SELECT 1 FROM \(name) WHERE layer = ?)", [.text(layer)]) == .integer(1)
    }

    /// The entries of `layer` (only those of `keys`, when given), in the order imported; empty
    /// when it has no roster.
    static func entries(layer: String, keys: Set<String>? = nil, workspace ws: Workspace) throws -> [RosterEntry] {
        guard try ws.hasTable(name) else { return [] }
        let keys = keys.map { $0.sorted() }
        let filter = keys.map { " AND key IN (" + Array(repeating: "?", count: $0.count).joined(separator: ",") + ")" } ?? ""
        return try ws.database.query("""
            SELECT key, role, name, phone, mobile, valid_from, valid_to FROM \(name) WHERE layer = ?\(filter) ORDER BY fid
            """, [.text(layer)] + (keys ?? []).map { .text($0) }).map { r in
            RosterEntry(key: r[0].text ?? "", member: StaffMember(role: r[1].text ?? "", name: r[2].text ?? "", phone: r[3].text ?? "", mobile: r[4].text ?? ""),
                        validFrom: r[5].text.flatMap(CalendarDay.init(parsing:)), validTo: r[6].text.flatMap(CalendarDay.init(parsing:)))
        }
    }
}
