import Foundation
import XCTest
@testable import Spatial

/// An import reads its source twice (`FeatureSource.rewind`): every source gives the same
/// features, in the same order, the second time.
final class FeatureSourceRewindTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "rewind-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What a feature is, as text: position, id, attributes and geometry.
    private func describe(_ f: Feature) -> String {
        "\(f.label) \(f.properties.map { "\($0.0)=\($0.1.text)" }.joined(separator: ",")) \(f.geometry.map { "\($0)" } ?? "nil")"
    }

    private func readTwice(_ source: FeatureSource, expecting count: Int, _ name: String) throws {
        var first: [String] = []
        while let f = try source.next() { first.append(describe(f)) }
        XCTAssertEqual(first.count, count, name)
        // Rewound halfway through as well as at the end.
        try source.rewind()
        _ = try source.next()
        try source.rewind()
        var second: [String] = []
        while let f = try source.next() { second.append(describe(f)) }
        XCTAssertEqual(second, first, name)
    }

    func testEverySourceGivesTheSameFeaturesAfterRewind() throws {
        let features = (0..<50).map { k in
            #"{"type":"Feature","id":\#(k),"properties":{"code":"G\#(k)","n":\#(k * 3)},"geometry":{"type":"Point","coordinates":[\#(120.3 + Double(k) / 1000),31.5]}}"#
        }
        let collection = try write("c.geojson", #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":["# + features.joined(separator: ",") + "]}")
        let source = try GeoJSONFeatureSource(path: collection)
        try readTwice(source, expecting: 50, "collection")
        XCTAssertEqual(source.declaredCRS, .epsg(4490))
        try readTwice(try GeoJSONFeatureSource(path: try write("s.geojsonl", features.map { "\u{1E}" + $0 }.joined(separator: "\n"))), expecting: 50, "sequence")

        var csv = "id,x,y,name\n"
        for k in 0..<40 { csv += "\(k),\(535_000 + k),\(3_491_000 + 2 * k),\"n, \(k)\"\n" }
        try readTwice(try CSVPointSource(path: try write("p.csv", csv), encoding: nil), expecting: 40, "csv")

        let gpkg = try GeoPackage.create(path: directory + "/t.gpkg", crs: try ProjCatalog.info(epsg: 4549))
        try gpkg.database.transaction {
            try gpkg.createFeatureTable("t", geometryType: "POINT", srsID: 4549, fields: [FieldDefinition(name: "owner", type: .text)])
            for k in 0..<30 {
                try gpkg.database.run("INSERT INTO t (geom, owner) VALUES (?, ?)",
                                      [.blob(GeoPackageBlob.encode(.point(Coordinate(535_000 + Double(k), 3_491_000)), srsID: 4549)), .text("O\(k % 4)")])
            }
        }
        try readTwice(try GeoPackageFeatureSource(path: directory + "/t.gpkg", table: "t"), expecting: 30, "gpkg")
        try readTwice(try GeoPackageFeatureSource(path: directory + "/t.gpkg", table: "t", filter: ("owner", "O1")), expecting: 8, "gpkg, filtered")
    }

    /// Features are named by the line they start on, in both readings; the counting reading
    /// (`nextCounted`) gives each feature's vertex count and everything but its coordinates.
    func testGeoJSONLinesAndTheCountingReading() throws {
        let point = #"{"type":"Feature","properties":{"k":1},"geometry":{"type":"Point","coordinates":[1,2]}}"#
        let ring = #"{"type":"Feature","properties":{"k":2},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n\(point),\n\(ring),\n\n\n"
            + #"{"type":"Feature","properties":{"k":3},"geometry":"# + "\n" + #"{"type":"LineString","coordinates":[[0,0],[5,5],[6,6]]}}"#
            + ",\n" + #"{"type":"Feature","properties":{"k":4},"geometry":null}"# + "\n]}\n"
        let path = try write("lines.geojson", text)
        let source = try GeoJSONFeatureSource(path: path)
        var read: [(String, Int?)] = []
        while let f = try source.next() { read.append((f.label, f.geometry?.vertexCount)) }
        XCTAssertEqual(read.map(\.0), ["feature 1 (line 2)", "feature 2 (line 3)", "feature 3 (line 6)", "feature 4 (line 8)"])
        try source.rewind()
        var counted: [(String, Int?, String)] = []
        while let (f, n) = try source.nextCounted() { counted.append((f.label, n, f.properties.map { "\($0.0)=\($0.1.text)" }.joined())) }
        XCTAssertEqual(counted.map(\.0), read.map(\.0))
        XCTAssertEqual(counted.map(\.1), read.map(\.1))
        XCTAssertEqual(counted.map(\.1), [1, 4, 3, nil])
        XCTAssertEqual(counted.map(\.2), ["k=1", "k=2", "k=3", "k=4"])
    }
}
