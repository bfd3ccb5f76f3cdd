import Foundation
import Spatial

/// `assign --apply` and `assign --revert`: the write-back of new keys into a point layer, in
/// one transaction, with every replaced value kept in `gk_assign_undo` so that a revert
/// restores it exactly.
enum ReassignmentLog {
    static let undoTable = "gk_assign_undo"

    private static func ensureUndoTable(_ ws: Workspace) throws {
        guard try ws.database.scalar("SELECT count(*) FROM sqlite_master WHERE name = ?", [.text(undoTable)]) == .integer(0) else { return }
        try ws.database.execute("""
        CREATE TABLE \(undoTable) (log_id INTEGER NOT NULL, layer TEXT NOT NULL, fid INTEGER NOT NULL, field TEXT NOT NULL,
          old_value, new_value, PRIMARY KEY (log_id, fid, field));
        """)
        try ws.database.run("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, 'GridKeeper: values replaced by assign --apply')",
                            [.text(undoTable), .text(undoTable)])
    }

    /// Applies the spooled changes (one JSON line each: [fid, pair index, old, new]). Every
    /// row must still hold the value that was read; otherwise nothing is applied.
    static func apply(spool: String, layer: LayerInfo, pairs: [AgainstPair], workspace ws: Workspace, commandLine: String) throws -> (logID: Int64, changes: Int) {
        let file = try MappedFile(path: spool)
        return try ws.write {
            try ensureUndoTable(ws)
            try ws.log(command: commandLine, layer: layer.name, counts: ["apply": "started"])
            let logID = ws.database.lastInsertRowID
            var changes = 0
            var statements: [String: SQLiteStatement] = [:]
            let undo = try ws.database.prepare("INSERT INTO \(undoTable) VALUES (?, ?, ?, ?, ?, ?)")
            // One JSON array per line (JSON text escapes newlines, so lines are whole entries).
            for line in file.bytes.split(separator: 0x0A) {
                let entry = try JSONParser.parse(Array(line))
                guard case .array(let e) = entry, e.count == 4, case .integer(let fid) = e[0], case .integer(let k) = e[1] else { continue }
                let field = pairs[Int(k)].field
                let old = e[2].keyText, new = e[3].keyText ?? ""
                let update = try statements[field] ?? ws.database.prepare(
                    "UPDATE \(quoteIdentifier(layer.name)) SET \(quoteIdentifier(field)) = ? WHERE fid = ? AND \(quoteIdentifier(field)) IS ?")
                statements[field] = update
                try update.bind([.text(new), .integer(fid), old.map { .text($0) } ?? .null])
                _ = try update.step()
                guard ws.database.changes == 1 else {
                    throw GridKeeperError.workspace("feature \(fid) of '\(layer.name)' no longer holds \(field) = \(old ?? "null") (changed since it was read); nothing applied — run assign again")
                }
                try undo.bind([.integer(logID), .text(layer.name), .integer(fid), .text(field), old.map { .text($0) } ?? .null, .text(new)])
                _ = try undo.step()
                changes += 1
            }
            try ws.database.run("UPDATE gk_log SET counts = ? WHERE id = ?", [.text(JSONValue.object([("applied", .integer(Int64(changes)))]).text), .integer(logID)])
            return (logID, changes)
        }
    }

    /// Restores what the apply `logID` replaced. Refuses (changing nothing) when a value was
    /// edited after the apply, or when there is nothing to revert.
    static func revert(logID: Int64, workspace ws: Workspace, commandLine: String) throws -> (layer: String, restored: Int) {
        try ws.write {
            guard try ws.database.scalar("SELECT count(*) FROM sqlite_master WHERE name = ?", [.text(undoTable)]) == .integer(1),
                  let layer = try ws.database.scalar("SELECT layer FROM \(undoTable) WHERE log_id = ? LIMIT 1", [.integer(logID)])?.text else {
                throw GridKeeperError.usage("log entry \(logID) has nothing to revert (not an assign --apply, or reverted already); see gk_log")
            }
            let rows = try ws.database.query("SELECT fid, field, old_value, new_value FROM \(undoTable) WHERE log_id = ?", [.integer(logID)])
            for row in rows {
                guard case .integer(let fid) = row[0], let field = row[1].text else { continue }
                try ws.database.run("UPDATE \(quoteIdentifier(layer)) SET \(quoteIdentifier(field)) = ? WHERE fid = ? AND \(quoteIdentifier(field)) IS ?",
                                    [row[2], .integer(fid), row[3]])
                guard ws.database.changes == 1 else {
                    throw GridKeeperError.workspace("feature \(fid) of '\(layer)' was edited after apply \(logID) (\(field) is no longer \(row[3].text ?? "null")); nothing reverted")
                }
            }
            try ws.database.run("DELETE FROM \(undoTable) WHERE log_id = ?", [.integer(logID)])
            try ws.log(command: commandLine, layer: layer, counts: ["reverted": String(logID), "restored": String(rows.count)])
            return (layer, rows.count)
        }
    }
}

extension Assign {
    /// `assign --revert LOG_ID`.
    public static func revert(logID: Int64, workspace: Workspace, commandLine: String) throws -> (layer: String, restored: Int) {
        try ReassignmentLog.revert(logID: logID, workspace: workspace, commandLine: commandLine)
    }
}
