import Foundation
import Spatial

/// The dispute register (`gk_disputes`): every overlap between owners that audit found, under
/// its stable id, with its status and the ruling of the expert group (专家确权小组).
///
/// Statuses: `open` (found, no ruling), `ruled` (lookup answers the ruled owner inside it),
/// `resolved` (no longer found, never ruled), `review` (ruled, but the overlap under the ruling
/// is no longer found — a re-import changed it, so the ruling is not applied to a new area).
/// A ruling replaced by a later one (`rule … replace`) is kept in `gk_ruling_history`.
public enum DisputeRegister {
    static let table = "gk_disputes"

    public struct Entry: Sendable {
        public let id: String
        public let layer: String
        public let owners: [String]
        public let fids: [Int64]
        public let area: Double
        /// Metres of road (road-duty disputes), 0 for areas.
        public let length: Double
        public let location: Coordinate?
        public let status: String
        public let firstSeen: String
        public let lastSeen: String
        public let ruledOwner: String?
        public let note: String?
        public let ruledBy: String?
        public let ruledAt: String?
        /// Workspace CRS.
        public let geometry: Geometry?
    }

    /// What one audit did to the register. `added` are new (open); of the disputes seen
    /// again, `stillOpen` have no ruling and `ruled` keep theirs.
    public struct SyncResult: Sendable {
        public var added = 0, stillOpen = 0, ruled = 0, resolved = 0, toReview = 0
    }

    static func ensureTable(_ ws: Workspace) throws {
        let created = try ws.ensureTable(table, columns: """
        id TEXT PRIMARY KEY, layer TEXT NOT NULL, owners TEXT NOT NULL, fids TEXT, area_m2 REAL,
          lon REAL, lat REAL, geom BLOB, status TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
          ruled_owner TEXT, note TEXT, ruled_by TEXT, ruled_at TEXT, length_m REAL
        """, description: "GridKeeper dispute register")
        // Registers written before road-duty audits have no length column.
        if !created, try ws.database.scalar("SELECT count(*) FROM pragma_table_info('\(table)') WHERE name = 'length_m'") == .integer(0) {
            try ws.database.execute("ALTER TABLE \(table) ADD COLUMN length_m REAL")
        }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Records this audit's disputes for `layers`: new ids are added `open`, known ones are seen
    /// again, and those of these layers not found any more become `resolved` or, if ruled, `review`.
    static func sync(_ disputes: [Defect], layers: [String], workspace ws: Workspace, commandLine: String) throws -> SyncResult {
        try ws.write {
            try ensureTable(ws)
            var result = SyncResult()
            let stamp = now()
            let srs = Int32(try ws.srsID())
            var found = Set<String>()
            for d in disputes {
                found.insert(d.id)
                let existing = try ws.database.scalar("SELECT status FROM \(table) WHERE id = ?", [.text(d.id)])?.text
                if let existing {
                    let status = existing == "resolved" ? "open" : (existing == "review" ? "ruled" : existing)
                    try ws.database.run("UPDATE \(table) SET last_seen = ?, status = ?, length_m = ? WHERE id = ?", [.text(stamp), .text(status), .real(d.length), .text(d.id)])
                    if status == "ruled" { result.ruled += 1 } else { result.stillOpen += 1 }
                } else {
                    try ws.database.run("INSERT INTO \(table) (id, layer, owners, fids, area_m2, length_m, lon, lat, geom, status, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?, 'open', ?, ?)", [
                        .text(d.id), .text(d.layer), .text(JSONValue.array(d.keys.map { .string($0) }).text),
                        .text(JSONValue.array(d.fids.map { .integer($0) }).text), .real(d.area), .real(d.length),
                        d.location.map { .real($0.x) } ?? .null, d.location.map { .real($0.y) } ?? .null,
                        d.geometry.map { .blob(GeoPackageBlob.encode($0, srsID: srs)) } ?? .null, .text(stamp), .text(stamp),
                    ])
                    result.added += 1
                }
            }
            for layer in layers {
                for row in try ws.database.query("SELECT id, status FROM \(table) WHERE layer = ? AND status IN ('open', 'ruled')", [.text(layer)]) {
                    guard let id = row[0].text, !found.contains(id) else { continue }
                    let ruled = row[1].text == "ruled"
                    try ws.database.run("UPDATE \(table) SET status = ? WHERE id = ?", [.text(ruled ? "review" : "resolved"), .text(id)])
                    if ruled { result.toReview += 1 } else { result.resolved += 1 }
                }
            }
            try ws.log(command: commandLine, layer: layers.joined(separator: ","), counts: [
                "disputes_new": String(result.added), "disputes_open": String(result.stillOpen), "disputes_ruled": String(result.ruled),
                "disputes_resolved": String(result.resolved), "rulings_to_review": String(result.toReview),
            ])
            return result
        }
    }

    public static func list(workspace ws: Workspace) throws -> [Entry] {
        guard try ws.hasTable(table) else { return [] }
        let hasLength = try ws.database.scalar("SELECT count(*) FROM pragma_table_info('\(table)') WHERE name = 'length_m'") == .integer(1)
        return try ws.database.query("SELECT id, layer, owners, fids, area_m2, lon, lat, status, first_seen, last_seen, ruled_owner, note, ruled_by, ruled_at, geom, \(hasLength ? "length_m" : "NULL") FROM \(table) ORDER BY layer, area_m2 DESC, \(hasLength ? "length_m" : "NULL") DESC").map(entry)
    }

    public static func entry(id: String, workspace ws: Workspace) throws -> Entry {
        guard let e = try find(id: id, workspace: ws) else { throw GridKeeperError.usage("no dispute '\(id)'; see `gridkeeper disputes list`") }
        return e
    }

    /// The dispute whose id is `id` or begins with it; nil when none does (a prefix of
    /// several is a usage error: give more of the id).
    public static func find(id: String, workspace ws: Workspace) throws -> Entry? {
        let matches = try list(workspace: ws).filter { $0.id == id || $0.id.hasPrefix(id) }
        guard matches.count <= 1 else { throw GridKeeperError.usage("'\(id)' matches \(matches.count) disputes; give more of the id") }
        return matches.first
    }

    private static func entry(_ r: [SQLValue]) throws -> Entry {
        func strings(_ v: SQLValue) -> [String] {
            guard let t = v.text, case .array(let items)? = try? JSONParser.parse(Array(t.utf8)) else { return [] }
            return items.compactMap(\.stringValue)
        }
        func real(_ v: SQLValue) -> Double? { if case .real(let d) = v { d } else if case .integer(let i) = v { Double(i) } else { nil } }
        var geometry: Geometry?
        if case .blob(let b) = r[14] { geometry = try? GeoPackageBlob.decode(b) }
        let location = real(r[5]).flatMap { x in real(r[6]).map { Coordinate(x, $0) } }
        return Entry(id: r[0].text ?? "", layer: r[1].text ?? "", owners: strings(r[2]), fids: fids(r[3]), area: real(r[4]) ?? 0, length: real(r[15]) ?? 0,
                     location: location, status: r[7].text ?? "", firstSeen: r[8].text ?? "", lastSeen: r[9].text ?? "",
                     ruledOwner: r[10].text, note: r[11].text, ruledBy: r[12].text, ruledAt: r[13].text, geometry: geometry)
    }

    /// A ruling a later one replaced, as `gk_ruling_history` keeps it.
    public struct Ruling: Sendable, Equatable {
        public let owner: String
        public let note: String?
        public let by: String?
        public let at: String?
        /// When the next ruling replaced it.
        public let replacedAt: String
    }

    static let historyTable = "gk_ruling_history"

    /// Records the expert group's ruling: inside the disputed area, `owner` answers. A dispute
    /// already ruled is ruled again only with `replace`; the earlier ruling then goes to the
    /// dispute's history in the same transaction.
    public static func rule(id: String, owner: String, note: String?, by: String?, replace: Bool = false,
                            workspace ws: Workspace, commandLine: String) throws -> Entry {
        let e = try entry(id: id, workspace: ws)
        guard e.status == "open" || e.status == "ruled" else {
            throw GridKeeperError.usage("dispute \(e.id) is \(e.status): \(e.status == "review" ? "the overlap under its ruling changed; audit again and rule the new dispute" : "it is no longer found by audit")")
        }
        guard e.owners.contains(owner) else {
            throw GridKeeperError.usage("'\(owner)' is not a party to dispute \(e.id); parties: \(e.owners.joined(separator: ", "))")
        }
        try ws.write {
            // Read again inside the transaction: another process may have ruled it meanwhile.
            let current = try ws.database.query("SELECT status, ruled_owner, note, ruled_by, ruled_at FROM \(table) WHERE id = ?", [.text(e.id)]).first
            if let current, current[0].text == "ruled", let earlier = current[1].text {
                guard replace else {
                    throw GridKeeperError.usage("dispute \(e.id) is already ruled: \(earlier) answers" + (current[4].text.map { " (ruled \($0))" } ?? "")
                                                + "; pass --replace to replace that ruling (the earlier one is kept in the dispute's history)")
                }
                try ws.ensureTable(historyTable, columns: """
                dispute_id TEXT NOT NULL, ruled_owner TEXT NOT NULL, note TEXT, ruled_by TEXT, ruled_at TEXT, replaced_at TEXT NOT NULL
                """, description: "GridKeeper rulings replaced by a later ruling")
                try ws.database.run("INSERT INTO \(historyTable) (dispute_id, ruled_owner, note, ruled_by, ruled_at, replaced_at) VALUES (?,?,?,?,?,?)",
                                    [.text(e.id), .text(earlier), current[2], current[3], current[4], .text(now())])
            }
            try ws.database.run("UPDATE \(table) SET status = 'ruled', ruled_owner = ?, note = ?, ruled_by = ?, ruled_at = ? WHERE id = ?",
                                [.text(owner), note.map { .text($0) } ?? .null, by.map { .text($0) } ?? .null, .text(now()), .text(e.id)])
            try ws.log(command: commandLine, layer: e.layer, counts: ["ruled": e.id, "owner": owner])
        }
        return try entry(id: e.id, workspace: ws)
    }

    /// The earlier rulings of a dispute, oldest first; empty when it was never ruled again.
    public static func history(id: String, workspace ws: Workspace) throws -> [Ruling] {
        guard try ws.hasTable(historyTable) else { return [] }
        return try ws.database.query("SELECT ruled_owner, note, ruled_by, ruled_at, replaced_at FROM \(historyTable) WHERE dispute_id = ? ORDER BY rowid",
                                     [.text(id)]).map { r in
            Ruling(owner: r[0].text ?? "", note: r[1].text, by: r[2].text, at: r[3].text, replacedAt: r[4].text ?? "")
        }
    }

    /// The `fids` column: a JSON array of integers (empty when unreadable).
    private static func fids(_ v: SQLValue) -> [Int64] {
        guard let t = v.text, case .array(let items)? = try? JSONParser.parse(Array(t.utf8)) else { return [] }
        return items.compactMap { if case .integer(let i) = $0 { i } else { nil } }
    }

    /// The rulings in force for a layer with the features whose overlap was ruled (road duty:
    /// the overlapping stake ranges).
    static func rulingParties(layer: String, workspace ws: Workspace) throws -> [(owner: String, fids: [Int64])] {
        guard try ws.hasTable(table) else { return [] }
        return try ws.database.query("SELECT ruled_owner, fids FROM \(table) WHERE layer = ? AND status = 'ruled'", [.text(layer)]).compactMap { r in
            guard let owner = r[0].text else { return nil }
            return (owner, fids(r[1]))
        }
    }

    /// The days on which rulings in force were made, of every layer (`VersionEpochs`).
    static func rulingDays(workspace ws: Workspace) throws -> [CalendarDay] {
        guard try ws.hasTable(table) else { return [] }
        return try ws.database.query("SELECT DISTINCT substr(ruled_at, 1, 10) FROM \(table) WHERE status = 'ruled'").compactMap {
            $0[0].text.flatMap(CalendarDay.init(parsing:))
        }
    }

    /// The rulings in force for a layer: the disputed area and the owner who answers there.
    /// `day`: only the rulings made on or before it (a ruling applies from its day on).
    static func rulings(layer: String, at day: CalendarDay? = nil, workspace ws: Workspace) throws -> [(owner: String, geometry: Geometry)] {
        guard try ws.hasTable(table) else { return [] }
        let since = day.map { " AND substr(ruled_at, 1, 10) <= '\($0.text)'" } ?? ""
        return try ws.database.query("SELECT ruled_owner, geom FROM \(table) WHERE layer = ? AND status = 'ruled'\(since)", [.text(layer)]).compactMap { r in
            guard let owner = r[0].text, case .blob(let b) = r[1], let g = try? GeoPackageBlob.decode(b) else { return nil }
            return (owner, g)
        }
    }
}
