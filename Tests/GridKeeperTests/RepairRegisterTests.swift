import XCTest
import Spatial
@testable import GridKeeper

/// Issue 15, item 6: a geometry the import repaired stays visible. Every audit lists it as
/// `repaired_geometry` (GEOS's reason and location before the repair, the repair date) until
/// the layer is imported again without it.
final class RepairRegisterTests: XCTestCase {
    var scratch: Scratch!
    /// Crosses itself at (50, 50).
    let bowTie = [(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0)]

    override func setUpWithError() throws {
        scratch = try Scratch()
    }

    func importDuty(bowTie withBowTie: Bool, replace: Bool = false) throws {
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"P"}"#, rings: [withBowTie ? bowTie : rect(0, 0, 100, 100)]),
        ])) { $0.replace = replace }
    }

    func audit() throws -> Audit.Report {
        var o = Audit.Options()
        o.layers = ["duty"]
        return try Audit.run(o, workspace: try scratch.workspace())
    }

    func testRepairIsListedInEveryAuditUntilTheLayerIsReimportedClean() throws {
        try importDuty(bowTie: true)
        let importedAt = try scratch.workspace().layer(named: "duty").importedAt
        let toLocal = try CoordinateTransform(from: .wgs84, to: .epsg(4549))
        for run in 1...2 {
            let report = try audit()
            let repaired = report.defects.filter { $0.kind == .repairedGeometry }
            XCTAssertEqual(repaired.count, 1, "audit \(run): \(report.defects.map(\.kind.rawValue))")
            XCTAssertEqual(repaired.first?.keys, ["P"])
            XCTAssertEqual(repaired.first?.fids, [2], "the fid of the repaired feature")
            let detail = repaired.first?.detail ?? ""
            XCTAssertTrue(detail.lowercased().contains("self-intersection"), detail)
            XCTAssertTrue(detail.contains(importedAt), "the repair date: \(detail)")
            XCTAssertTrue(detail.contains("feature 2"), detail)
            let at = try toLocal.transform(try XCTUnwrap(repaired.first?.location))
            XCTAssertEqual(at.x, originX + 50, accuracy: 0.01, "where GEOS found the crossing")
            XCTAssertEqual(at.y, originY + 50, accuracy: 0.01)
            XCTAssertEqual(report.findingCount, report.defects.filter { !$0.kind.isNotice }.count)
            XCTAssertFalse(Defect.Kind.repairedGeometry.isNotice, "a finding: audit exits 1 for it")
            // In the JSON report and the defects GeoJSON (a point where GEOS found it).
            XCTAssertTrue(AuditOutput.json(report).contains(#""kind":"repaired_geometry""#))
            let geojson = try JSONParser.parse(Array(try AuditOutput.geoJSON(report).utf8))
            guard case .array(let items)? = geojson["features"] else { return XCTFail("no features") }
            let point = try XCTUnwrap(items.first { $0["properties"]?["kind"] == .string("repaired_geometry") })
            XCTAssertEqual(point["geometry"]?["type"], .string("Point"))
        }
        // Re-imported with the bow-tie again: the rows are replaced, not added to.
        try importDuty(bowTie: true, replace: true)
        XCTAssertEqual(try RepairRegister.repairs(layer: "duty", workspace: try scratch.workspace()).count, 1)
        // Re-imported clean: nothing is listed any more.
        try importDuty(bowTie: false, replace: true)
        XCTAssertTrue(try audit().defects.filter { $0.kind == .repairedGeometry }.isEmpty)
        XCTAssertEqual(try RepairRegister.repairs(layer: "duty", workspace: try scratch.workspace()).count, 0)
    }

    /// The repair rows are written in the import's transaction: an import that fails after a
    /// repair leaves no row behind.
    func testFailedImportRecordsNoRepair() throws {
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [bowTie]),
            feature(#"{"owner":""}"#, rings: [rect(100, 0, 200, 100)]),
        ])))
        XCTAssertEqual(try scratch.workspaceBytes(), before)
    }

    /// A workspace from before the repair register (no gk_repairs table) opens, audits and
    /// imports; the first import with a repair creates the table.
    func testWorkspaceWithoutTheRepairTableStillWorks() throws {
        try importDuty(bowTie: true)
        let ws = try scratch.workspace()
        try ws.database.execute("DROP TABLE gk_repairs; DELETE FROM gpkg_contents WHERE table_name = 'gk_repairs'")
        XCTAssertTrue(try audit().defects.filter { $0.kind == .repairedGeometry }.isEmpty)
        try importDuty(bowTie: false, replace: true)
        XCTAssertFalse(try scratch.workspace().hasTable("gk_repairs"), "a clean import needs no table")
        try importDuty(bowTie: true, replace: true)
        XCTAssertEqual(try audit().defects.filter { $0.kind == .repairedGeometry }.count, 1)
        XCTAssertEqual(try scratch.workspace().database.scalar("SELECT data_type FROM gpkg_contents WHERE table_name = 'gk_repairs'"), .text("attributes"),
                       "registered so QGIS and ogrinfo show it")
    }
}
