import TestSupport
import XCTest
import Spatial
@testable import GridKeeper

final class InterchangeTests: XCTestCase {
    func testCRSAutoReadsTheZonePrefixAndRefusesWhatItCannotKnow() throws {
        XCTAssertEqual(try CRSDetection.detect(Coordinate(120.38, 31.54), label: "x").crs, .wgs84)
        XCTAssertEqual(try CRSDetection.detect(Coordinate(40_535_434.6, 3_491_650.9), label: "x").crs, .epsg(4528))
        XCTAssertEqual(try CRSDetection.detect(Coordinate(3_491_650.9, 40_535_434.6), label: "x").crs, .epsg(4528), "northing first")
        XCTAssertEqual(try CRSDetection.detect(Coordinate(39_585_685.2, 3_464_585.6), label: "x").crs, .epsg(4527))
        XCTAssertEqual(try CRSDetection.detect(Coordinate(20_585_685.2, 3_464_585.6), label: "x").crs, .epsg(4498), "6-degree zone 20")
        XCTAssertThrowsError(try CRSDetection.detect(Coordinate(535_434.6, 3_491_650.9), label: "x")) { e in
            XCTAssertEqual((e as? GridKeeperError)?.kind, .usage)
        }
        XCTAssertThrowsError(try CRSDetection.detect(Coordinate(12, 1e9), label: "x"))
    }

    /// GK zone ↔ lon/lat against PROJ's own command-line tool, where installed.
    func testTransformsAgreeWithCs2csWithinOneMillimetre() throws {
        let cs2cs = try ExternalTool.path("cs2cs", package: "proj-bin")
        var random = SystemRandomNumberGenerator()
        let points = (0..<200).map { _ in Coordinate(Double.random(in: 118.6...121.4, using: &random), Double.random(in: 24...40, using: &random)) }
        for code in [4549, 4528] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cs2cs)
            p.arguments = ["-f", "%.4f", "EPSG:4490", "EPSG:\(code)"]
            let input = Pipe(), output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            try p.run()
            // EPSG:4490 and the GK systems are latitude/northing first for cs2cs.
            input.fileHandleForWriting.write(Data(points.map { "\($0.y) \($0.x)\n" }.joined().utf8))
            try input.fileHandleForWriting.close()
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            p.waitUntilExit()
            XCTAssertEqual(lines.count, points.count)
            let t = try CoordinateTransform(from: .cgcs2000, to: .epsg(code))
            for (c, line) in zip(points, lines) {
                let v = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
                let ours = try t.transform(c)
                XCTAssertEqual(ours.y, v[0], accuracy: 0.001, "northing at \(c)")
                XCTAssertEqual(ours.x, v[1], accuracy: 0.001, "easting at \(c)")
            }
        }
    }

    /// A Shapefile with GBK attributes and no .cpg, through ogr2ogr, with --encoding gbk.
    func testShapefileThroughGDALWithGBK() throws {
        let ogr2ogr = try ExternalTool.path("ogr2ogr", package: "gdal-bin")
        let scratch = try Scratch()
        let source = try scratch.write("duty.geojson", #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":["# + feature(#"{"owner":"市政工程管理处"}"#, rings: [rect(0, 0, 100, 100)]) + "]}")
        let shp = scratch.directory + "/duty.shp"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = ["-f", "ESRI Shapefile", shp, source, "-lco", "ENCODING=CP936"]
        try p.run()
        p.waitUntilExit()
        try? FileManager.default.removeItem(atPath: scratch.directory + "/duty.cpg")
        var o = ImportOptions(file: shp, layer: "shp", kind: .duty)
        o.encoding = .gb18030
        let report = try LayerImport.run(o, into: try scratch.workspace())
        XCTAssertEqual(report.featureCount, 1)
        XCTAssertEqual(report.sourceCRS, .epsg(4549), "the .prj is honoured")
        XCTAssertEqual(try scratch.workspace().database.scalar("SELECT owner FROM shp"), .text("市政工程管理处"))
        try FileManager.default.removeItem(atPath: scratch.directory + "/duty.dbf")
        XCTAssertThrowsError(try LayerImport.run(ImportOptions(file: shp, layer: "shp2", kind: .duty), into: try scratch.workspace())) { e in
            XCTAssertTrue("\(e)".contains(".dbf"), "\(e)")
        }
    }

    /// A Shapefile of one duty polygon whose owner is `owner`, written by ogr2ogr in `encoding`,
    /// with its .cpg removed (as Chinese offices receive them); `ldid` patches the .dbf's
    /// language driver byte.
    private func shapefileWithoutCPG(_ scratch: Scratch, owner: String, encoding: String, ldid: UInt8? = nil, more: String = "") throws -> String {
        let ogr2ogr = try ExternalTool.path("ogr2ogr", package: "gdal-bin")
        let name = "duty-\(UUID().uuidString.prefix(6))"
        let source = try scratch.write(name + ".geojson", #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":["# + feature(#"{"owner":"\#(owner)"\#(more)}"#, rings: [rect(0, 0, 100, 100)]) + "]}")
        let shp = scratch.directory + "/" + name + ".shp"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = ["-f", "ESRI Shapefile", shp, source, "-lco", "ENCODING=\(encoding)"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        try? FileManager.default.removeItem(atPath: scratch.directory + "/" + name + ".cpg")
        if let ldid {
            let dbf = scratch.directory + "/" + name + ".dbf"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: dbf))
            bytes[29] = ldid
            try bytes.write(to: URL(fileURLWithPath: dbf))
        }
        return shp
    }

    /// No .cpg, no --encoding: the text is read as the encoding it is valid in, and that is said.
    func testShapefileWithoutCPGDetectsItsEncoding() throws {
        let scratch = try Scratch()
        let cases: [(encoding: String, ldid: UInt8?, said: String)] = [
            ("GBK", nil, "valid GB18030/GBK"), ("GBK", 0x57, "valid GB18030/GBK"), ("GBK", 0x4D, "code page 936"), ("UTF-8", nil, "valid UTF-8"),
        ]
        for (i, c) in cases.enumerated() {
            let shp = try shapefileWithoutCPG(scratch, owner: "市政工程管理处", encoding: c.encoding, ldid: c.ldid)
            let report = try LayerImport.run(ImportOptions(file: shp, layer: "shp\(i)", kind: .duty), into: try scratch.workspace())
            XCTAssertEqual(try scratch.workspace().database.scalar("SELECT owner FROM shp\(i)"), .text("市政工程管理处"), "\(c)")
            XCTAssertTrue(report.encodingNote?.contains(c.said) == true, "\(c): \(report.encodingNote ?? "nothing said")")
        }
        // GDAL cuts a UTF-8 field name at 10 bytes, inside the 4th character of 责任单位.
        let cut = try shapefileWithoutCPG(scratch, owner: "区城管局", encoding: "UTF-8", more: #","责任单位":"城管局""#)
        XCTAssertEqual(try LayerImport.run(ImportOptions(file: cut, layer: "cut", kind: .duty), into: try scratch.workspace()).featureCount, 1)
        XCTAssertEqual(try scratch.workspace().database.scalar("SELECT \"责任单\" FROM cut"), .text("城管局"))
        let ascii = try shapefileWithoutCPG(scratch, owner: "Owner A", encoding: "UTF-8")
        XCTAssertNil(try LayerImport.run(ImportOptions(file: ascii, layer: "ascii", kind: .duty), into: try scratch.workspace()).encodingNote,
                     "ASCII text needs no choice")
    }

    /// Text valid in neither UTF-8 nor GB18030 stops the import, naming the record and field;
    /// with --encoding, text invalid in it does too (never U+FFFD or "?").
    func testShapefileTextValidInNeitherEncodingIsRefused() throws {
        let scratch = try Scratch()
        let latin1 = try shapefileWithoutCPG(scratch, owner: "Café über", encoding: "ISO-8859-1")
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try LayerImport.run(ImportOptions(file: latin1, layer: "latin", kind: .duty), into: try scratch.workspace())) { e in
            XCTAssertEqual((e as? GridKeeperError)?.kind, .badInput)
            XCTAssertTrue("\(e)".contains("record 1, field owner"), "\(e)")
            XCTAssertTrue("\(e)".contains("--encoding"), "\(e)")
        }
        let gbk = try shapefileWithoutCPG(scratch, owner: "市政工程管理处", encoding: "GBK")
        var o = ImportOptions(file: gbk, layer: "gbk", kind: .duty)
        o.encoding = .utf8
        XCTAssertThrowsError(try LayerImport.run(o, into: try scratch.workspace())) { e in
            XCTAssertTrue("\(e)".contains("record 1, field owner is not valid UTF-8"), "\(e)")
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before)
    }
}
