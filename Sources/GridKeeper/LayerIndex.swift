import Spatial

/// The cell indexes of one layer for one bulk run at one tolerance: its polygons and its
/// jurisdiction. Built once, shared by every worker (immutable).
final class LayerIndex: @unchecked Sendable {
    let cells: CellIndex
    let jurisdictionCells: CellIndex?

    /// How long the build took, in seconds.
    let seconds: Double

    init(polygons: PolygonSet, jurisdiction: PolygonSet?, tolerance: Double) {
        let clock = Stopwatch()
        cells = CellIndex(polygons, tolerance: tolerance)
        // Nearly every point asks the jurisdiction whether it is near its edge: with two cells
        // per edge, a square city had 16 cells, 12 of them on its edge (a probe for most points).
        jurisdictionCells = jurisdiction.map { CellIndex($0, tolerance: tolerance, minCells: 1 << 14) }
        seconds = clock.elapsed
    }
}
