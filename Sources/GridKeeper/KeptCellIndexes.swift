import Spatial

/// Cell indexes kept in the workspace (`gk_index`), so that `assign`, `lookup --input`, the
/// pipe and the service load a layer's index instead of building it on every run.
///
/// A row is keyed by a digest of everything its index is made from: the polygons exactly as
/// `LayerData` loaded them (vertex for vertex), the tolerance, the build's parameters and
/// `CellIndex.buildVersion`. A layer that changed in any way — imported again, replaced,
/// another version asked for, edited by another program — loads other polygons, so it finds
/// no row and builds its index: a stale index cannot be used. Import writes the rows of the
/// layer it imported at `tolerance` (what the commands and the service use unless told
/// otherwise), of every polygon layer when the jurisdiction may have changed, and of any layer
/// that has none; it deletes the rows no layer uses any more.
enum KeptCellIndexes {
    static let table = "gk_index"
    /// The tolerance import keeps indexes for: the default of `assign`, `lookup` and the service.
    static let tolerance = 0.0

    /// The key of the index of `set` at `tolerance` built with `minCells` (`CellIndex.init`'s
    /// other parameters at their defaults).
    static func digest(_ set: PolygonSet, tolerance: Double, minCells: Int) -> String {
        var d = ContentDigest()
        d.add(CellIndex.buildVersion)
        d.add(tolerance)
        d.add(minCells)
        set.storage.addContent(to: &d)
        return d.hex
    }

    /// The kept index of this digest over a set of `memberCount` members, or nil (none kept,
    /// a workspace from before the table, or bytes that are no index).
    static func load(digest: String, memberCount: Int, workspace ws: Workspace) throws -> CellIndex? {
        guard try ws.hasTable(table) else { return nil }
        let row = try ws.database.prepare("SELECT rowid FROM \(table) WHERE digest = ? AND typeof(cells) = 'blob'")
        try row.bind([.text(digest)])
        guard try row.step(), let rowid = row.integer(0),
              let blob = SQLiteBlobReader(database: ws.database, table: table, column: "cells", rowid: rowid) else { return nil }
        // Read straight into the index's arrays: a big city's index is tens of megabytes.
        return CellIndex(encodedCount: blob.count, memberCount: memberCount, read: blob.read)
    }

    /// A layer an import has just written, as it is in memory: its polygons in fid order (as
    /// `LayerData` loads them, so the digests agree) and their index by `LayerIndex.layerCells`
    /// at `tolerance`, built while the layer's union is computed.
    struct Imported {
        let layer: String
        let polygons: PolygonSet
        let cells: CellIndex

        /// `polygons`: the layer's, added to it feature by feature as they were written.
        init(polygons: consuming PolygonSet.Builder, layer: String) {
            self.layer = layer
            // Only indexed and digested here: no bands.
            self.polygons = PolygonSet(polygons, banded: false)
            cells = LayerIndex.layerCells(self.polygons, tolerance: KeptCellIndexes.tolerance)
        }
    }

    /// Keeps the indexes of the polygon layers at `tolerance`, building those not kept yet,
    /// and deletes the rows no layer uses. Call inside the `write` that changed a layer, after
    /// its coverage is saved.
    ///
    /// `changed`: the one layer that changed, when the jurisdiction did not (a layer's index
    /// depends on its polygons and its jurisdiction only): then only it, and the layers with no
    /// row, are loaded — a duty layer's import does not reload a city's grids. A layer edited
    /// by another program since its import keeps its stale rows until then (they are never
    /// used: its runs build). nil: every polygon layer. `imported`: a layer taken from memory
    /// instead of read back.
    static func refresh(workspace ws: Workspace, changed: String? = nil, imported: Imported? = nil) throws {
        try ws.ensureTable(table, columns: "digest TEXT PRIMARY KEY, layer TEXT NOT NULL, cells BLOB NOT NULL",
                           description: "GridKeeper cell indexes of the polygon layers, kept for bulk runs")
        let all = try ws.layers().filter(\.kind.isAnswering).map(\.name)
        var names = all
        if let changed {
            let labelled = Set(try ws.database.query("SELECT DISTINCT layer FROM \(table)").compactMap { $0[0].text })
            names = all.filter { $0 == changed || !labelled.contains($0) }
        }
        var indexes: [(layer: String, index: LayerIndex)] = []
        if let imported, names.contains(imported.layer) {
            // The jurisdiction as `AnswerLayers` finds it: the shared one, else the layer's own union.
            let jurisdiction = try ws.jurisdictionLayer().flatMap { try ws.coverage(of: $0) } ?? ws.coverage(layer: imported.layer)
            let index = try LayerIndex.pending(polygons: imported.polygons, jurisdiction: jurisdiction.map { PolygonSet([$0.polygons]) },
                                               tolerance: tolerance, workspace: ws, built: imported.cells)
            indexes.append((imported.layer, index.value))
        }
        let others = names.filter { $0 != imported?.layer }
        if !others.isEmpty {
            let layers = try AnswerLayers(workspace: ws, layerNames: others, indexTolerance: tolerance)
            indexes += layers.polygons.compactMap { data in data.index.map { (data.layer.name, $0) } }
        }
        // In the layers' order, so a shared jurisdiction's row is labelled as it always was.
        indexes.sort { all.firstIndex(of: $0.layer)! < all.firstIndex(of: $1.layer)! }
        var used: [String] = []
        for (layer, index) in indexes {
            // Layers share their jurisdiction's index: one row.
            for kept in index.kept where !used.contains(kept.digest) {
                used.append(kept.digest)
                guard kept.built else { continue }
                try ws.database.run("INSERT OR REPLACE INTO \(table) VALUES (?, ?, ?)",
                                    [.text(kept.digest), .text(layer), .blob(kept.index.encoded())])
            }
        }
        // Every row is checked against every layer's digests, or (one layer loaded) the rows of
        // that layer and of layers that are gone.
        let stale = try ws.database.query("SELECT digest, layer FROM \(table)").filter { row in
            guard let digest = row[0].text, !used.contains(digest) else { return false }
            guard changed != nil, let layer = row[1].text else { return true }
            return names.contains(layer) || !all.contains(layer)
        }.compactMap { $0[0].text }
        for digest in stale { try ws.database.run("DELETE FROM \(table) WHERE digest = ?", [.text(digest)]) }
    }
}
