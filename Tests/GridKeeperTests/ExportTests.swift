import TestSupport
import XCTest
import Spatial
@testable import GridKeeper

final class ExportTests: XCTestCase {
    func testGeoJSONRoundTripKeepsGeometryWithinPrecisionAndAttributesExactly() throws {
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"市政工程管理处","n":3,"r":0.25,"note":null}"#, rings: [rect(0, 0, 120, 100), rect(20, 20, 40, 40).reversed()]),
            feature(#"{"owner":"区城管局","n":4,"r":1.5,"note":"长江路"}"#, rings: [rect(120, 0, 200, 100)]),
        ]))
        let out = scratch.directory + "/duty.geojson"
        let result = try Export.run(Export.Options(layer: "duty", out: out), workspace: try scratch.workspace())
        XCTAssertEqual(result.features, 2)
        XCTAssertTrue(result.rfc7946)
        let doc = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        XCTAssertNil(doc["crs"], "RFC 7946 has no crs member")
        guard case .array(let bbox)? = doc["bbox"], bbox.count == 4 else { return XCTFail("no bbox") }
        guard case .array(let features)? = doc["features"] else { return XCTFail("no features") }
        let first = try XCTUnwrap(try GeoJSONGeometry.decode(features[0]["geometry"]!))
        guard case .polygon(let rings) = first else { return XCTFail("a one-part polygon is exported as a Polygon") }
        XCTAssertGreaterThan(Orientation.signedArea(rings[0]), 0, "exterior counter-clockwise")
        XCTAssertLessThan(Orientation.signedArea(rings[1]), 0, "hole clockwise")
        XCTAssertEqual(features[0]["id"], .integer(1))

        // Import the export again: same attributes, geometry within the rounding (7 decimals ≈ 1 cm).
        var o = ImportOptions(file: out, layer: "again", kind: .duty)
        o.crs = nil
        _ = try LayerImport.run(o, into: try scratch.workspace())
        let ws = try scratch.workspace()
        let a = try ws.database.query(#"SELECT owner, n, r, note, geom FROM duty ORDER BY fid"#)
        let b = try ws.database.query(#"SELECT owner, n, r, note, geom FROM again ORDER BY fid"#)
        XCTAssertEqual(a.map { Array($0.prefix(4)) }, b.map { Array($0.prefix(4)) })
        for (ra, rb) in zip(a, b) {
            guard case .blob(let ga) = ra[4], case .blob(let gb) = rb[4] else { return XCTFail("geometry") }
            let ca = try GeoPackageBlob.decode(ga).coordinates, cb = try GeoPackageBlob.decode(gb).coordinates
            XCTAssertEqual(ca.count, cb.count)
            // Rings may start elsewhere after re-orientation; compare as point sets within 2 cm.
            for c in ca { XCTAssertTrue(cb.contains { abs($0.x - c.x) < 0.02 && abs($0.y - c.y) < 0.02 }, "\(c)") }
        }
    }

    /// GDAL reads what export writes.
    func testOgrinfoReadsTheExport() throws {
        let ogrinfo = try ExternalTool.path("ogrinfo", package: "gdal-bin")
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"市政工程管理处"}"#, rings: [rect(0, 0, 10, 10)]), feature(#"{"owner":"Q"}"#, rings: [rect(10, 0, 20, 10)]),
        ]))
        for name in ["duty.geojson", "duty.gpkg"] {
            let out = scratch.directory + "/" + name
            _ = try Export.run(Export.Options(layer: "duty", out: out), workspace: try scratch.workspace())
            let (status, text) = try ExternalTool.run(ogrinfo, ["-al", out])
            XCTAssertEqual(status, 0, text)
            XCTAssertTrue(text.contains("Feature Count: 2"), text)
            XCTAssertTrue(text.contains("owner (String) = 市政工程管理处"), text)
            XCTAssertTrue(text.contains("WGS 84"), text)
        }
    }

    func testFilterFormatsAndErrors() throws {
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 10, 10)]), feature(#"{"owner":"Q"}"#, rings: [rect(10, 0, 20, 10)]),
        ]))
        var o = Export.Options(layer: "duty", out: scratch.directory + "/q.csv")
        o.filter = ("owner", "Q")
        XCTAssertEqual(try Export.run(o, workspace: try scratch.workspace()).features, 1)
        let csv = try String(contentsOfFile: o.out, encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("fid,owner,wkt\n2,Q,\"POLYGON (("), csv)
        var gpkg = Export.Options(layer: "duty", out: scratch.directory + "/d.gpkg")
        gpkg.crs = .epsg(4549)
        XCTAssertEqual(try Export.run(gpkg, workspace: try scratch.workspace()).features, 2)
        let back = try GeoPackageFeatureSource(path: gpkg.out, table: "duty")
        XCTAssertEqual(back.declaredCRS, .epsg(4549))
        XCTAssertThrowsError(try Export.run(Export.Options(layer: "nope", out: scratch.directory + "/x.geojson"), workspace: try scratch.workspace()))
        var bad = Export.Options(layer: "duty", out: scratch.directory + "/x.geojson")
        bad.filter = ("missing", "1")
        XCTAssertThrowsError(try Export.run(bad, workspace: try scratch.workspace()))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.out), "nothing written on error")
        XCTAssertThrowsError(try Export.format(for: "x.dxf"))
        // A directory at the output path stays, contents and all; no temporary file is left.
        let folder = scratch.directory + "/exports.geojson"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try "keep me".write(toFile: folder + "/notes.txt", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try Export.run(Export.Options(layer: "duty", out: folder), workspace: try scratch.workspace()))
        XCTAssertEqual(try String(contentsOfFile: folder + "/notes.txt", encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasSuffix(".tmp") }, [])
    }

    /// GCJ-02 and BD-09 exports carry a CRS marker, so importing them back shifts nothing.
    func testOffsetCRSExportsReimportInPlace() throws {
        let scratch = try Scratch()
        try scratch.importGridsAndDuty()
        let points = [(50.0, 50.0), (150, 50), (50, 150), (150, 150), (99.9, 50), (100.1, 150)].map { Coordinate(originX + $0.0, originY + $0.1) }
        let original = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["grids"], inputCRS: .epsg(4549))
        let originalRows = try scratch.workspace().database.query("SELECT geom FROM grids ORDER BY fid")
        for crs in [CRS.gcj02, .bd09] {
            for name in ["grids.geojson", "grids.geojsonl", "grids.gpkg"] {
                var o = Export.Options(layer: "grids", out: scratch.directory + "/\(crs)-" + name)
                o.crs = crs
                _ = try Export.run(o, workspace: try scratch.workspace())
                let fresh = try Scratch()
                _ = try LayerImport.run(ImportOptions(file: o.out, layer: "grids", kind: .grid), into: try fresh.workspace())
                let rows = try fresh.workspace().database.query("SELECT geom FROM grids ORDER BY fid")
                XCTAssertEqual(rows.count, originalRows.count)
                for (ra, rb) in zip(originalRows, rows) {
                    guard case .blob(let ga) = ra[0], case .blob(let gb) = rb[0] else { return XCTFail("geometry") }
                    let cb = try GeoPackageBlob.decode(gb).coordinates
                    for c in try GeoPackageBlob.decode(ga).coordinates {
                        XCTAssertTrue(cb.contains { abs($0.x - c.x) < 0.01 && abs($0.y - c.y) < 0.01 }, "\(crs) \(name): \(c) moved")
                    }
                }
                let again = try AnswerEngine(workspace: try fresh.workspace(), layerNames: ["grids"], inputCRS: .epsg(4549))
                for p in points {
                    XCTAssertEqual(try again.answer(p).layers[0].primary?.key, try original.answer(p).layers[0].primary?.key, "\(crs) \(name) at \(p)")
                }
            }
        }
    }

    /// Shapefile through ogr2ogr: the owner names read back in UTF-8 and in GBK, with a .cpg.
    func testShapefileExportInUTF8AndGBK() throws {
        let ogrinfo = try ExternalTool.path("ogrinfo", package: "gdal-bin")
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"市政工程管理处"}"#, rings: [rect(0, 0, 10, 10)]), feature(#"{"owner":"区城管局"}"#, rings: [rect(10, 0, 20, 10)]),
        ]))
        for (encoding, cpg) in [(nil as TextEncoding?, "UTF-8"), (.gb18030, "CP936")] {
            let folder = scratch.directory + "/\(cpg)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            var o = Export.Options(layer: "duty", out: folder + "/duty.shp")
            o.encoding = encoding
            XCTAssertEqual(try Export.run(o, workspace: try scratch.workspace()).features, 2)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["duty.cpg", "duty.dbf", "duty.prj", "duty.shp", "duty.shx"])
            XCTAssertEqual(try String(contentsOfFile: folder + "/duty.cpg", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), cpg)
            let dbf = try Data(contentsOf: URL(fileURLWithPath: folder + "/duty.dbf"))
            XCTAssertEqual(dbf.range(of: Data("区城管局".utf8)) != nil, encoding == nil, "\(cpg): the .dbf holds the name in UTF-8 only when asked")
            let text = try ExternalTool.run(ogrinfo, ["-al", folder + "/duty.shp"]).output
            XCTAssertTrue(text.contains("owner (String) = 市政工程管理处") && text.contains("owner (String) = 区城管局"), text)
        }
        var kml = Export.Options(layer: "duty", out: scratch.directory + "/duty.kml")
        XCTAssertEqual(try Export.run(kml, workspace: try scratch.workspace()).features, 2)
        XCTAssertTrue(try String(contentsOfFile: kml.out, encoding: .utf8).contains("区城管局"))
        kml.crs = .gcj02
        XCTAssertThrowsError(try Export.run(kml, workspace: try scratch.workspace())) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage) }
    }

}
