import Foundation
import TestSupport
import XCTest

/// `import` as a user runs it: what it says on stderr, and what lookups answer afterwards.
final class ImportCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI()
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0, "the CLI is built (swift build)")
    }

    override func tearDown() { cli?.cleanUp() }

    /// A Shapefile written by ogr2ogr in `encoding` with its .cpg removed.
    private func shapefileWithoutCPG(_ name: String, owner: String, encoding: String) throws -> String {
        let ogr2ogr = try ExternalTool.path("ogr2ogr", package: "gdal-bin")
        try cli.write(name + ".geojson", featureCollection([squareFeature(#"{"owner":"\#(owner)"}"#, 0, 0, 100)]))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        p.arguments = ["-f", "ESRI Shapefile", name + ".shp", name + ".geojson", "-a_srs", "EPSG:4549", "-lco", "ENCODING=\(encoding)"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        try FileManager.default.removeItem(atPath: cli.directory + "/" + name + ".cpg")
        return name + ".shp"
    }

    /// Issue 15: a GBK Shapefile without .cpg imported mojibake with exit 0.
    func testShapefileWithoutCPGSaysWhichEncodingItChose() throws {
        let gbk = try cli.run(["import", try shapefileWithoutCPG("gbk", owner: "市政工程管理处", encoding: "GBK"), "--layer", "gbk", "--kind", "duty"])
        XCTAssertEqual(gbk.status, 0, gbk.stderr)
        XCTAssertTrue(gbk.stderr.contains("its text is valid GB18030/GBK, read as such"), gbk.stderr)
        let utf8 = try cli.run(["import", try shapefileWithoutCPG("utf8", owner: "区城管局", encoding: "UTF-8"), "--layer", "utf8", "--kind", "duty"])
        XCTAssertEqual(utf8.status, 0, utf8.stderr)
        XCTAssertTrue(utf8.stderr.contains("its text is valid UTF-8, read as such"), utf8.stderr)
        for (layer, owner) in [("gbk", "市政工程管理处"), ("utf8", "区城管局")] {
            let r = try cli.run(["lookup", "\(x0 + 50),\(y0 + 50)", "--crs", "EPSG:4549", "--layers", layer, "--json"])
            XCTAssertTrue(r.stdout.contains(#""owner":"\#(owner)""#), r.stdout)
        }
        let latin1 = try cli.run(["import", try shapefileWithoutCPG("latin1", owner: "Café über", encoding: "ISO-8859-1"), "--layer", "latin1", "--kind", "duty"])
        XCTAssertEqual(latin1.status, 3, latin1.stderr)
        XCTAssertTrue(latin1.stderr.contains("record 1, field owner is neither (bytes 43 61 66 E9"), latin1.stderr)
        XCTAssertTrue(latin1.stderr.contains("--encoding"), latin1.stderr)
    }

    /// Issue 15: a 20 km straight edge imported from GCJ-02. Points 1 cm either side of the
    /// source edge (measured in metres in the source frame) must fall on their own side after
    /// import: inside for the inner one, not inside for the outer one.
    func testLongGCJ02EdgeKeepsPointsOneCentimetreAwayOnTheirSide() throws {
        // Counter-clockwise: the interior lies left of (north of) the edge a → b.
        let a = (120.20, 31.50), b = (120.41, 31.52)
        let ring = [a, b, (120.41, 31.60), (120.20, 31.60), a].map { "[\($0.0),\($0.1)]" }.joined(separator: ",")
        try cli.write("district.geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"滨湖区城管局"},"geometry":{"type":"Polygon","coordinates":[[\#(ring)]]}}]}"#)
        let imported = try cli.run(["import", "district.geojson", "--layer", "district", "--kind", "duty", "--crs", "gcj02"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stderr.contains("vertices along long edges"), imported.stderr)

        // Metres per degree at this latitude on the GRS80/WGS84 ellipsoid.
        let phi = 31.51 * Double.pi / 180, e2 = 0.00669438, r = 6_378_137.0
        let w = (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        let perLon = Double.pi / 180 * r * cos(phi) / w, perLat = Double.pi / 180 * r * (1 - e2) / (w * w * w)
        let ex = (b.0 - a.0) * perLon, ey = (b.1 - a.1) * perLat, length = (ex * ex + ey * ey).squareRoot()
        let outward = (ey / length, -ex / length)   // right of a → b, in metres
        for s in [0.25, 0.375, 0.5, 0.75] {
            for (side, expectInside) in [(1.0, false), (-1.0, true)] {
                let lon = a.0 + s * (b.0 - a.0) + side * 0.01 * outward.0 / perLon
                let lat = a.1 + s * (b.1 - a.1) + side * 0.01 * outward.1 / perLat
                let answer = try cli.run(["lookup", String(format: "%.12f,%.12f", lon, lat), "--crs", "gcj02", "--json"])
                XCTAssertEqual(answer.stdout.contains(#""status":"inside""#), expectInside,
                               "at \(s) of the edge, 1 cm \(expectInside ? "inside" : "outside"): \(answer.stdout)")
            }
        }
    }
}
