import Spatial

/// The cell indexes of one layer for one bulk run at one tolerance: its polygons and its
/// jurisdiction. Loaded from the workspace when kept there (`KeptCellIndexes`), else built;
/// shared by every worker (immutable).
final class LayerIndex: @unchecked Sendable {
    let cells: CellIndex
    let jurisdictionCells: CellIndex?

    /// Each index with its key in `gk_index` and whether it was built here (not loaded).
    let kept: [(index: CellIndex, digest: String, built: Bool)]

    /// How long loading and building took, in seconds.
    let seconds: Double

    /// Nearly every point asks the jurisdiction whether it is near its edge: with two cells
    /// per edge, a square city had 16 cells, 12 of them on its edge (a probe for most points).
    static let jurisdictionMinCells = 1 << 14
    static let layerMinCells = 16

    /// The indexes of `polygons` and `jurisdiction` at `tolerance`: those kept in `workspace`
    /// are read now (on this thread, which owns the connection), the others are built on
    /// another thread while the caller goes on.
    static func pending(polygons: PolygonSet, jurisdiction: PolygonSet?, tolerance: Double, workspace: Workspace) throws -> BackgroundValue<LayerIndex> {
        let clock = Stopwatch()
        let layerDigest = KeptCellIndexes.digest(polygons, tolerance: tolerance, minCells: layerMinCells)
        let areaDigest = jurisdiction.map { KeptCellIndexes.digest($0, tolerance: tolerance, minCells: jurisdictionMinCells) }
        let cells = try KeptCellIndexes.load(digest: layerDigest, memberCount: polygons.count, workspace: workspace)
        let areaCells = try jurisdiction.flatMap { j in try areaDigest.flatMap { try KeptCellIndexes.load(digest: $0, memberCount: j.count, workspace: workspace) } }
        let loading = clock.elapsed
        return BackgroundValue {
            LayerIndex(polygons: polygons, jurisdiction: jurisdiction, tolerance: tolerance, loaded: (cells, areaCells),
                       digests: (layerDigest, areaDigest), loadSeconds: loading)
        }
    }

    private init(polygons: PolygonSet, jurisdiction: PolygonSet?, tolerance: Double, loaded: (CellIndex?, CellIndex?),
                 digests: (String, String?), loadSeconds: Double) {
        let clock = Stopwatch()
        cells = loaded.0 ?? CellIndex(polygons, tolerance: tolerance, minCells: Self.layerMinCells)
        jurisdictionCells = jurisdiction.map { loaded.1 ?? CellIndex($0, tolerance: tolerance, minCells: Self.jurisdictionMinCells) }
        var kept = [(cells, digests.0, loaded.0 == nil)]
        if let jurisdictionCells, let digest = digests.1 { kept.append((jurisdictionCells, digest, loaded.1 == nil)) }
        self.kept = kept
        seconds = loadSeconds + clock.elapsed
    }
}
