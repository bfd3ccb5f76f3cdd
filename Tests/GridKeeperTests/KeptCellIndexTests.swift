import XCTest
import KernelVerification
import Spatial
@testable import GridKeeper

/// The cell indexes kept in the workspace (`gk_index`): used when the layer is what they were
/// built from, answering exactly as freshly built ones, and never used for a changed layer.
final class KeptCellIndexTests: XCTestCase {
    var scratch: Scratch!

    /// A 12 × 12 lattice of grids whose shared edges bend (a middle vertex moved the same for
    /// both neighbours), and duty polygons of two owners with an overlap, a gap and a hole.
    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importLayer("grids", kind: .grid, geojson: lattice())
        try importDuty(east: 320)
    }

    /// The lattice's GeoJSON, moved `shift` metres east.
    func lattice(shift: Double = 0) -> String {
        func bend(_ i: Int, _ j: Int) -> Double { Double((i * 7 + j * 13) % 9) - 4 }
        var grids: [String] = []
        for i in 0..<12 {
            for j in 0..<12 {
                let x = Double(i) * 50 + shift, y = Double(j) * 50
                let ring = [(x, y), (x + 25, y + bend(i, j)), (x + 50, y), (x + 50 + bend(i + 1, j + 40), y + 25), (x + 50, y + 50),
                            (x + 25, y + 50 + bend(i, j + 1)), (x, y + 50), (x + bend(i, j + 40), y + 25)]
                grids.append(feature(#"{"code":"3202140010\#(String(format: "%05d", i * 12 + j))"}"#, rings: [ring]))
            }
        }
        return collection(grids)
    }

    func importDuty(east: Double, configure: (inout ImportOptions) -> Void = { _ in }) throws {
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"甲"}"#, rings: [[(0, 0), (east, 0), (east - 17, 330), (0, 350)], rect(40, 40, 90, 80).reversed()]),
            feature(#"{"owner":"乙"}"#, rings: [[(300, 0), (600, 0), (600, 600), (260, 600), (280, 300)]]),
            feature(#"{"owner":"甲"}"#, rings: [rect(0, 350, 200, 600)]),
        ]), configure: configure)
    }

    /// Random points over the city and beyond, and every vertex of the lattice.
    func points(_ count: Int) throws -> String {
        var random = SplitMix64(seed: 11)
        var csv = "id,x,y\n"
        for k in 0..<count {
            let onNode = k % 5 == 0
            let x = onNode ? Double(random.next() % 25) * 25 : Double(random.next() % 64_000) / 100 - 20
            let y = onNode ? Double(random.next() % 25) * 25 : Double(random.next() % 64_000) / 100 - 20
            csv += "p\(k),\(originX + x),\(originY + y)\n"
        }
        return try scratch.write("points.csv", csv)
    }

    func assign(_ points: String, _ name: String) throws -> String {
        var o = AssignOptions(points: points, out: scratch.directory + "/" + name)
        o.crs = .epsg(4549)
        o.threads = 2
        _ = try Assign.run(o, workspace: try scratch.workspace())
        return try String(contentsOfFile: o.out, encoding: .utf8)
    }

    /// Whether each polygon layer's indexes were loaded from `gk_index` (true) or built (false).
    func loaded(at day: CalendarDay? = nil) throws -> [String: [Bool]] {
        let layers = try AnswerLayers(workspace: try scratch.workspace(), layerNames: ["grids", "duty"],
                                      indexTolerance: KeptCellIndexes.tolerance, at: day)
        return Dictionary(uniqueKeysWithValues: layers.polygons.map { ($0.layer.name, $0.index!.kept.map { !$0.built }) })
    }

    func keptRows() throws -> [[SQLValue]] {
        try scratch.workspace().database.query("SELECT digest, layer FROM gk_index ORDER BY layer, digest")
    }

    func forgetKeptIndexes() throws {
        let ws = try scratch.workspace()
        try ws.write { try ws.database.run("DELETE FROM gk_index") }
    }

    /// Import keeps the grids', the duty layer's and the jurisdiction's index; a run loads them
    /// and answers 6,000 points exactly as with indexes built afresh.
    func testKeptIndexAnswersAsAFreshlyBuiltOne() throws {
        XCTAssertEqual(try keptRows().count, 3, "grids, duty and the jurisdiction (shared by both)")
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [true, true]])
        let input = try points(6000)
        let kept = try assign(input, "kept.csv")
        let keptBytes = try AnswerLayers(workspace: try scratch.workspace(), layerNames: ["grids", "duty"], indexTolerance: 0)
            .polygons.flatMap { $0.index!.kept.map { $0.index.encoded() } }
        try forgetKeptIndexes()
        XCTAssertEqual(try loaded(), ["grids": [false, false], "duty": [false, false]])
        let fresh = try assign(input, "fresh.csv")
        XCTAssertEqual(kept.split(separator: "\n").count, 6001)
        XCTAssertEqual(kept, fresh)
        let freshBytes = try AnswerLayers(workspace: try scratch.workspace(), layerNames: ["grids", "duty"], indexTolerance: 0)
            .polygons.flatMap { $0.index!.kept.map { $0.index.encoded() } }
        XCTAssertEqual(keptBytes, freshBytes, "the same index, byte for byte")
        // Other tolerances are built, never served by the tolerance-0 rows.
        let other = try AnswerLayers(workspace: try scratch.workspace(), layerNames: ["duty"], indexTolerance: 0.5)
        XCTAssertEqual(other.polygons[0].index!.kept.map(\.built), [true, true])
    }

    /// A layer changed after import — a geometry edited by another program, a replacement,
    /// another version — finds no kept index for its polygons, builds one and answers as with a
    /// fresh one; the unchanged layer still loads its own, and rows nobody uses are deleted.
    func testAChangedLayerDoesNotUseAStaleIndex() throws {
        let input = try points(3000)
        // Edited in place, as QGIS or GDAL would: the triggers keep the R-tree, nothing else.
        let ws = try scratch.workspace()
        let moved = Geometry.multiPolygon([[[Coordinate(originX + 300, originY), Coordinate(originX + 600, originY), Coordinate(originX + 600, originY + 600),
                                             Coordinate(originX + 200, originY + 600), Coordinate(originX + 300, originY)]]])
        try ws.write { try ws.database.run("UPDATE duty SET geom = ? WHERE fid = 2", [.blob(GeoPackageBlob.encode(moved, srsID: 4549))]) }
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [false, true]])
        let edited = try assign(input, "edited.csv")
        try forgetKeptIndexes()
        XCTAssertEqual(edited, try assign(input, "edited-fresh.csv"))

        // Replaced by import, as a new version from March: the kept rows follow the new layer.
        try importDuty(east: 420) { $0.replace = true; $0.effective = CalendarDay(parsing: "2026-03-01") }
        let rows = try keptRows()
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [true, true]])
        let replaced = try assign(input, "replaced.csv")
        XCTAssertNotEqual(replaced, edited, "the replacement answers differently")
        // The version before March has other polygons: built, not the current layer's index.
        XCTAssertEqual(try loaded(at: CalendarDay(parsing: "2026-02-01")), ["grids": [true, true], "duty": [false, true]])
        try forgetKeptIndexes()
        XCTAssertEqual(replaced, try assign(input, "replaced-fresh.csv"))
    }

    /// Importing a layer that is not the jurisdiction refreshes only its own rows (and those of
    /// layers that have none); importing the jurisdiction refreshes every layer's.
    func testImportRefreshesTheRowsItsLayerChanged() throws {
        let before = try keptRows()
        let gridRows = before.filter { $0[1] == .text("grids") }
        XCTAssertEqual(gridRows.count, 2, "the grids' index and the jurisdiction's (the grids' coverage)")
        try importDuty(east: 420) { $0.replace = true }
        var rows = try keptRows()
        XCTAssertEqual(rows.filter { $0[1] == .text("grids") }, gridRows, "the grids' rows untouched")
        XCTAssertEqual(rows.count, 3)
        XCTAssertNotEqual(rows.filter { $0[1] == .text("duty") }, before.filter { $0[1] == .text("duty") }, "the duty row replaced")
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [true, true]])

        // A layer whose rows are gone gets them back with the next import of another layer.
        let ws = try scratch.workspace()
        try ws.write { try ws.database.run("DELETE FROM gk_index WHERE layer = 'grids'") }
        try importDuty(east: 400) { $0.replace = true }
        rows = try keptRows()
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [true, true]])

        // The grids are the jurisdiction: importing them again rebuilds every layer's rows.
        try scratch.importLayer("grids", kind: .grid, geojson: lattice(shift: 10)) { $0.replace = true }
        let after = try keptRows()
        XCTAssertEqual(after.count, 3)
        XCTAssertEqual(Set(after.map { $0[0] }).subtracting(rows.map { $0[0] }).count, 2, "the grids' and the jurisdiction's rows new")
        XCTAssertTrue(Set(after.map { $0[0] }).isSuperset(of: rows.filter { $0[1] == .text("duty") }.map { $0[0] }), "the duty polygons' own index unchanged")
        XCTAssertEqual(try loaded(), ["grids": [true, true], "duty": [true, true]])
    }

    /// A kept row whose bytes are no index (damaged file) is not used: the run builds its own.
    func testDamagedKeptIndexIsRebuiltNotUsed() throws {
        let input = try points(2000)
        let good = try assign(input, "good.csv")
        let ws = try scratch.workspace()
        try ws.write { try ws.database.run("UPDATE gk_index SET cells = substr(cells, 1, 100)") }
        XCTAssertEqual(try loaded(), ["grids": [false, false], "duty": [false, false]])
        XCTAssertEqual(try assign(input, "damaged.csv"), good)
    }
}
