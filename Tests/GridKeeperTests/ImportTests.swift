import XCTest
import Spatial
@testable import GridKeeper

final class ImportTests: XCTestCase {
    var scratch: Scratch!
    let grid = collection([
        feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 100, 100)]),
        feature(#"{"code":"320214001001002"}"#, rings: [rect(100, 0, 200, 100)]),
    ])

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importLayer("grids", kind: .grid, geojson: grid)
    }

    /// Runs a failing import and checks the error kind, that the message names what it must,
    /// and that the workspace file is byte-identical afterwards.
    func assertRejected(_ text: String, layer name: String = "bad", kind: LayerKind = .duty, crs: CRS? = .epsg(4549),
                        exit: GridKeeperError.Kind = .badInput, mentions: [String],
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try scratch.importLayer(name, kind: kind, geojson: text, crs: crs), file: file, line: line) { error in
            guard let e = error as? GridKeeperError else { return XCTFail("not a GridKeeperError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, exit, e.message, file: file, line: line)
            for m in mentions { XCTAssertTrue(e.message.contains(m), "'\(m)' not in: \(e.message)", file: file, line: line) }
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before, "workspace changed", file: file, line: line)
        XCTAssertEqual(try scratch.workspace().layers().map(\.name), ["grids"], file: file, line: line)
    }

    func testWrongGeometryTypeForKind() throws {
        let point = #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"x7","properties":{"owner":"P"},"geometry":{"type":"Point","coordinates":[535000,3491000]}}]}"#
        try assertRejected(point, mentions: ["feature 1", "x7", "field geometry", "Point"])
    }

    func testMissingOwnerNamesFeatureAndField() throws {
        try assertRejected(collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 10, 10)]),
            feature(#"{"owner":""}"#, rings: [rect(10, 0, 20, 10)]),
        ]), mentions: ["feature 2", "field owner"])
        try assertRejected(collection([feature(#"{"name":"x"}"#, rings: [rect(0, 0, 10, 10)])]), mentions: ["owner field", "--owner-field"])
    }

    func testNonFiniteAndMalformedInput() throws {
        try assertRejected(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[1e999,0],[1,0],[1,1],[1e999,0]]]}}]}"#,
                           mentions: ["line 1", "out of range"])
        try assertRejected(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[NaN,0],[1,0],[1,1],[0,0]]]}}]}"#,
                           mentions: ["NaN"])
        try assertRejected("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\",", mentions: ["line 3"])
        try assertRejected("", mentions: ["empty"])
        try assertRejected(#"{"type":"FeatureCollection","features":[]}"#, mentions: ["no features"])
        try assertRejected(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[2,2]]]}}]}"#,
                           mentions: ["not closed"])
        try assertRejected(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}"#,
                           mentions: ["at least 4"])
    }

    func testCoordinatesOutsideTheCRSAreaOrSwapped() throws {
        let far = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[10,50],[10.1,50],[10.1,50.1],[10,50]]]}}]}"#
        try assertRejected(far, crs: .wgs84, mentions: ["far outside", "EPSG:4549"])
        let swapped = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[31.5,120.4],[31.5,120.41],[31.51,120.41],[31.5,120.4]]]}}]}"#
        try assertRejected(swapped, crs: .wgs84, mentions: ["swapped"])
        // A little outside the zone (Wuhu-like, 118.3°E for a 120°E zone) only warns.
        let near = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"P"},"geometry":{"type":"Polygon","coordinates":[[[118.3,31.3],[118.31,31.3],[118.31,31.31],[118.3,31.3]]]}}]}"#
        let report = try scratch.importLayer("wuhu", kind: .duty, geojson: near, crs: .wgs84)
        XCTAssertEqual(report.warnings.count, 1)
        XCTAssertTrue(report.warnings[0].contains("a little outside"), report.warnings[0])
    }

    /// Features are checked in batches on every core: the error is still the first bad
    /// feature's in source order, and the warnings count every feature once.
    func testTheFirstBadFeatureInSourceOrderIsReportedAcrossBatches() throws {
        let n = CheckedFeatures.batchFeatures * 2 + 100, late = CheckedFeatures.batchFeatures + 7
        func cells(_ bad: [Int: String]) -> String {
            collection((1...n).map { i in bad[i] ?? feature(#"{"code":"c\#(i)"}"#, rings: [rect(Double(i), 0, Double(i) + 1, 1)]) })
        }
        let noKey = feature(#"{"code":" "}"#, rings: [rect(0, 10, 1, 11)])
        let far = feature(#"{"code":"far"}"#, rings: [rect(-400_000, 0, -399_999, 1)])
        let line = #"{"type":"Feature","properties":{"code":"w"},"geometry":{"type":"LineString","coordinates":[[535000,3491000],[535001,3491000]]}}"#
        let broken = #"{"type":"Feature","properties":{"code":"x"},"geometry":{"type":"Polygon","coordinates":[[[535000,]]]}}"#
        for (bad, mentions) in [
            ([late: noKey, late + 1: line, n: far], ["feature \(late) ", "field code"]),
            ([n - 1: line, n: noKey], ["feature \(n - 1) ", "LineString"]),
            ([3: far, late: noKey], ["feature 3 ", "far outside"]),
            // The file's own faults are found by the first read, before any feature is checked.
            ([late: noKey, late + 1: broken], ["feature \(late + 1)", "line \(late + 1)"]),
        ] {
            try assertRejected(cells(bad), kind: .grid, mentions: mentions)
        }
        // Cells a little outside the zone, one in each of two batches: each coordinate counted once.
        let text = collection((1...n).map { i in
            let x = i == 5 || i == late ? 118.3 : 120 + Double(i) * 1e-4, y = 31.3, d = 5e-5
            return #"{"type":"Feature","properties":{"code":"c\#(i)"},"geometry":{"type":"Polygon","coordinates":[[[\#(x),\#(y)],[\#(x + d),\#(y)],[\#(x + d),\#(y + d)],[\#(x),\#(y)]]]}}"#
        })
        let report = try scratch.importLayer("near", kind: .grid, geojson: text, crs: .wgs84)
        XCTAssertEqual(report.featureCount, n)
        XCTAssertEqual(report.warnings.count, 1)
        XCTAssertTrue(report.warnings[0].hasPrefix("8 coordinate(s)") && report.warnings[0].contains("feature 5 "), report.warnings[0])
        XCTAssertEqual(try scratch.workspace().gpkg.database.scalar("SELECT count(*) FROM near"), .integer(Int64(n)))
    }

    func testSelfIntersectionIsRepairedAndReportedNotDropped() throws {
        let bowTie = [(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0)]
        let report = try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [bowTie]),
            feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
        ]))
        XCTAssertEqual(report.featureCount, 2)
        XCTAssertEqual(report.repaired.count, 1)
        XCTAssertTrue(report.repaired[0].feature.contains("feature 1"))
        XCTAssertTrue(report.repaired[0].reason.lowercased().contains("self-intersection"), report.repaired[0].reason)
        // The repaired bow-tie answers as its two triangles (west and east of the crossing at 50,50).
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549))
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 20, originY + 50)).layers[0].primary?.owner, "P")
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 80, originY + 50)).layers[0].primary?.owner, "P")
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 50, originY + 20)).layers[0].status, .gap)
    }

    func testReplaceAndDuplicateNamesAndReservedNames() throws {
        try assertRejected(grid, layer: "grids", kind: .grid, exit: .usage, mentions: ["already exists", "--replace"])
        try assertRejected(grid, layer: "gpkg_contents", kind: .grid, exit: .usage, mentions: ["invalid layer name"])
        try assertRejected(grid, layer: "rtree_x", kind: .grid, exit: .usage, mentions: ["invalid layer name"])
        let replaced = try scratch.importLayer("grids", kind: .grid, geojson: collection([feature(#"{"code":"320214001001009"}"#, rings: [rect(0, 0, 50, 50)])])) {
            $0.replace = true
        }
        XCTAssertEqual(replaced.featureCount, 1)
        XCTAssertEqual(try scratch.workspace().layers().first?.featureCount, 1)
    }

    func testAttributesKeepTheirTypesAndChineseText() throws {
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"市政工程管理处","区域":"长江路","count":3,"ratio":0.5,"ok":true,"fid":"source-7"}"#, rings: [rect(0, 0, 10, 10)]),
        ]))
        let ws = try scratch.workspace()
        let fields = try ws.gpkg.fields(of: "duty")
        XCTAssertEqual(fields.map(\.name), ["owner", "区域", "count", "ratio", "ok", "fid_1"])
        XCTAssertEqual(fields.map(\.type), [.text, .text, .integer, .real, .integer, .text])
        let row = try ws.database.query(#"SELECT owner, "区域", count, ratio, fid_1 FROM duty"#)[0]
        XCTAssertEqual(row, [.text("市政工程管理处"), .text("长江路"), .integer(3), .real(0.5), .text("source-7")])
    }

    func testFirstImportChoosesTheGaussKrugerZone() throws {
        let s = try Scratch()
        try FileManager.default.removeItem(atPath: s.workspacePath)
        _ = try Workspace.create(path: s.workspacePath, crs: nil)
        let lonlat = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"320214001001001"},"geometry":{"type":"Polygon","coordinates":[[[117.9,31.3],[117.91,31.3],[117.91,31.31],[117.9,31.3]]]}}]}"#
        let report = try s.importLayer("grids", kind: .grid, geojson: lonlat, crs: nil)
        XCTAssertTrue(report.chosenCRS)
        XCTAssertEqual(report.workspaceCRS, .epsg(4548))
        XCTAssertEqual(try s.workspace().crs(), .epsg(4548))
    }

    func testCSVPointsWithChineseHeadersAndGBK() throws {
        let csv = "ObjID,ObjName,经度,纬度,BGID\n3202140101000001,上水井盖,120.38,31.54,320214001001001\n"
        let utf8 = try scratch.write("c.csv", csv)
        var options = ImportOptions(file: utf8, layer: "components", kind: .component)
        let report = try LayerImport.run(options, into: try scratch.workspace())
        XCTAssertEqual(report.featureCount, 1)
        XCTAssertEqual(report.keyField, "ObjID")
        let gbkPath = scratch.directory + "/gbk.csv"
        try csv.data(using: String.Encoding(rawValue: 0x80000632))!.write(to: URL(fileURLWithPath: gbkPath))
        options = ImportOptions(file: gbkPath, layer: "components_gbk", kind: .component)
        XCTAssertEqual(try LayerImport.run(options, into: try scratch.workspace()).featureCount, 1)
        let name = try scratch.workspace().database.scalar("SELECT ObjName FROM components_gbk")
        XCTAssertEqual(name, .text("上水井盖"))
        let bad = try scratch.write("bad.csv", "id,lon,lat\n1,120.38,31.54\n2,NaN,31.54\n")
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try LayerImport.run(ImportOptions(file: bad, layer: "bad", kind: .component), into: try scratch.workspace())) { e in
            XCTAssertTrue("\(e)".contains("line 3"), "\(e)")
            XCTAssertTrue("\(e)".contains("lon"), "\(e)")
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before)
    }
}
