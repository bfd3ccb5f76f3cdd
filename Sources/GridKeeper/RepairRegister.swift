import Spatial

/// The repair register (`gk_repairs`): every invalid geometry an import repaired with
/// make-valid, with GEOS's reason and location before the repair, so that every audit lists it
/// (`repaired_geometry`) until the layer is imported again without it. The data owner must fix
/// the source; the repaired copy in the workspace only keeps dispatch going.
///
/// Rows belong to the import that wrote the layer: an import (or `--replace`) of a layer
/// replaces all of that layer's rows in its own transaction, so a clean re-import leaves none.
public enum RepairRegister {
    static let table = "gk_repairs"

    public struct Repair: Sendable, Equatable {
        public let layer: String
        public let fid: Int64
        /// The feature's key (owner, code or name), when it has one.
        public let key: String?
        /// The feature as the source named it (number, id).
        public let feature: String
        /// GEOS's reason for the invalidity.
        public let reason: String
        /// Where GEOS found it, workspace CRS.
        public let location: Coordinate?
        /// When the import repaired it (ISO 8601).
        public let repairedAt: String
    }

    /// Replaces `layer`'s rows with `repairs`. Call inside the import's `write`.
    static func replace(layer: String, with repairs: [Repair], workspace ws: Workspace) throws {
        if try ws.hasTable(table) {
            try ws.database.run("DELETE FROM \(table) WHERE lower(layer) = lower(?)", [.text(layer)])
        }
        guard !repairs.isEmpty else { return }
        try ws.ensureTable(table, columns: """
        layer TEXT NOT NULL, fid INTEGER NOT NULL, key TEXT, feature TEXT NOT NULL, reason TEXT NOT NULL,
          x REAL, y REAL, repaired_at TEXT NOT NULL, PRIMARY KEY (layer, fid)
        """, description: "GridKeeper geometries repaired at import (make-valid)")
        for r in repairs {
            try ws.database.run("INSERT INTO \(table) (layer, fid, key, feature, reason, x, y, repaired_at) VALUES (?,?,?,?,?,?,?,?)", [
                .text(r.layer), .integer(r.fid), r.key.map { .text($0) } ?? .null, .text(r.feature), .text(r.reason),
                r.location.map { .real($0.x) } ?? .null, r.location.map { .real($0.y) } ?? .null, .text(r.repairedAt),
            ])
        }
    }

    /// The repairs recorded for `layer`, by fid; none in a workspace from before the register.
    public static func repairs(layer: String, workspace ws: Workspace) throws -> [Repair] {
        guard try ws.hasTable(table) else { return [] }
        return try ws.database.query("SELECT layer, fid, key, feature, reason, x, y, repaired_at FROM \(table) WHERE layer = ? ORDER BY fid", [.text(layer)]).compactMap { r in
            guard case .integer(let fid) = r[1] else { return nil }
            var location: Coordinate?
            if case .real(let x) = r[5], case .real(let y) = r[6] { location = Coordinate(x, y) }
            return Repair(layer: r[0].text ?? layer, fid: fid, key: r[2].text, feature: r[3].text ?? "",
                          reason: r[4].text ?? "", location: location, repairedAt: r[7].text ?? "")
        }
    }

    /// The layer's repairs as `repaired_geometry` defects, located where GEOS found the problem.
    static func defects(layer: String, workspace ws: Workspace, toLonLat: CoordinateTransform) throws -> [Defect] {
        try repairs(layer: layer, workspace: ws).map { r in
            Defect(kind: .repairedGeometry, layer: layer, keys: r.key.map { [$0] } ?? [], fids: [r.fid], area: 0,
                   location: r.location.flatMap { try? toLonLat.transform($0) }, geometry: nil,
                   detail: "\(r.reason) in \(r.feature), repaired with make-valid at import on \(r.repairedAt); fix the source and import it again")
        }
    }
}
