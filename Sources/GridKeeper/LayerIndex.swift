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

    /// The index of a layer's own polygons at `tolerance` (every build of one goes through here,
    /// so an index built from the same polygons anywhere has the same digest and bytes).
    static func layerCells(_ polygons: PolygonSet, tolerance: Double) -> CellIndex {
        CellIndex(polygons, tolerance: tolerance, minCells: layerMinCells)
    }

    /// The indexes of `polygons` and `jurisdiction` at `tolerance`: those kept in `workspace`
    /// are read now (on this thread, which owns the connection), the others are built on
    /// another thread while the caller goes on. `built`: the layer's index, built already from
    /// these polygons by `layerCells` (an import, from the polygons it just wrote): used, and
    /// reported as built.
    static func pending(polygons: PolygonSet, jurisdiction: PolygonSet?, tolerance: Double, workspace: Workspace,
                        built: CellIndex? = nil) throws -> BackgroundValue<LayerIndex> {
        let clock = Stopwatch()
        let layerDigest = KeptCellIndexes.digest(polygons, tolerance: tolerance, minCells: layerMinCells)
        let areaDigest = jurisdiction.map { KeptCellIndexes.digest($0, tolerance: tolerance, minCells: jurisdictionMinCells) }
        let cells = try built == nil ? KeptCellIndexes.load(digest: layerDigest, memberCount: polygons.count, workspace: workspace) : nil
        let areaCells = try jurisdiction.flatMap { j in try areaDigest.flatMap { try KeptCellIndexes.load(digest: $0, memberCount: j.count, workspace: workspace) } }
        let loading = clock.elapsed
        return BackgroundValue {
            LayerIndex(polygons: polygons, jurisdiction: jurisdiction, tolerance: tolerance, loaded: (cells ?? built, areaCells),
                       built: built != nil, digests: (layerDigest, areaDigest), loadSeconds: loading)
        }
    }

    private init(polygons: PolygonSet, jurisdiction: PolygonSet?, tolerance: Double, loaded: (CellIndex?, CellIndex?), built: Bool,
                 digests: (String, String?), loadSeconds: Double) {
        let clock = Stopwatch()
        cells = loaded.0 ?? Self.layerCells(polygons, tolerance: tolerance)
        jurisdictionCells = jurisdiction.map { loaded.1 ?? CellIndex($0, tolerance: tolerance, minCells: Self.jurisdictionMinCells) }
        var kept = [(cells, digests.0, built || loaded.0 == nil)]
        if let jurisdictionCells, let digest = digests.1 { kept.append((jurisdictionCells, digest, loaded.1 == nil)) }
        self.kept = kept
        seconds = loadSeconds + clock.elapsed
    }
}
