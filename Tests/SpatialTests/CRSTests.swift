import XCTest
@testable import Spatial

final class CRSTests: XCTestCase {
    func testParsingNames() throws {
        XCTAssertEqual(try CRS(parsing: "EPSG:4549"), .epsg(4549))
        XCTAssertEqual(try CRS(parsing: "epsg:4490"), .cgcs2000)
        XCTAssertEqual(try CRS(parsing: "WGS84"), .wgs84)
        XCTAssertEqual(try CRS(parsing: "GCJ-02"), .gcj02)
        XCTAssertEqual(try CRS(parsing: "bd09"), .bd09)
        // ASCII text is read byte by byte, other text scalar by scalar: the same rule.
        XCTAssertEqual(try CRS(parsing: " Gcj_02\t"), .gcj02)
        XCTAssertEqual(try CRS(parsing: "\u{3000}Gcj_02\u{00A0}"), .gcj02)
        XCTAssertEqual(try CRS(parsing: "EPSG: 4549"), .epsg(4549))
        XCTAssertEqual(try CRS(parsing: "EPSG:\u{2009}4549"), .epsg(4549))
        XCTAssertThrowsError(try CRS(parsing: "ＥPSG:4549"))
        XCTAssertThrowsError(try CRS(parsing: "mercator-ish"))
        XCTAssertEqual(CRS.gaussKrugerZone3(forLongitude: 120.4), .epsg(4549))
        XCTAssertEqual(CRS.gaussKrugerZone3(forLongitude: 118.2), .epsg(4548))
        XCTAssertEqual(CRS.gaussKrugerZone3(forLongitude: 121.7), .epsg(4550))
        XCTAssertNil(CRS.gaussKrugerZone3(forLongitude: 10))
    }

    /// Reference values from PROJ's own `cs2cs` (echo "31.5 120.5" | cs2cs -d 4 EPSG:4490 EPSG:4549).
    func testGaussKrugerAgainstCs2cs() throws {
        let t = try CoordinateTransform(from: .cgcs2000, to: .epsg(4549))
        let p = try t.transform(Coordinate(120.5, 31.5))
        XCTAssertEqual(p.x, 547501.4367, accuracy: 0.001)
        XCTAssertEqual(p.y, 3486519.5075, accuracy: 0.001)
        let prefixed = try CoordinateTransform(from: .cgcs2000, to: .epsg(4528)).transform(Coordinate(120.5, 31.5))
        XCTAssertEqual(prefixed.x, 40547501.4367, accuracy: 0.001)
        let zone117 = try CoordinateTransform(from: .wgs84, to: .epsg(4548)).transform(Coordinate(117.9, 31.3))
        XCTAssertEqual(zone117.x, 585685.2060, accuracy: 0.001)
        XCTAssertEqual(zone117.y, 3464585.5762, accuracy: 0.001)
    }

    func testRoundTripWithinOneMillimetre() throws {
        let forward = try CoordinateTransform(from: .wgs84, to: .epsg(4549))
        let back = try CoordinateTransform(from: .epsg(4549), to: .wgs84)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let c = Coordinate(Double.random(in: 118.5...121.5, using: &rng), Double.random(in: 25...40, using: &rng))
            let p = try forward.transform(c)
            let q = try forward.transform(try back.transform(p))
            XCTAssertEqual(p.x, q.x, accuracy: 0.001)
            XCTAssertEqual(p.y, q.y, accuracy: 0.001)
        }
    }

    func testBallparkDatumIsRefusedButWGS84ToCGCS2000Accepted() {
        XCTAssertThrowsError(try CoordinateTransform(from: .epsg(4610), to: .epsg(4549))) { error in
            XCTAssertTrue("\(error)".contains("ballpark"), "\(error)")
        }
        XCTAssertThrowsError(try CoordinateTransform(from: .epsg(4214), to: .epsg(4549)))
        XCTAssertNoThrow(try CoordinateTransform(from: .wgs84, to: .epsg(4549)))
        XCTAssertThrowsError(try CoordinateTransform(from: .epsg(999_999), to: .epsg(4549)))
    }

    func testFailedTransformIsAnErrorNotHugeVal() throws {
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(4549))
        XCTAssertThrowsError(try t.transform(Coordinate(120, 95)))
        XCTAssertThrowsError(try t.transform(Coordinate(.nan, 30)))
    }

    func testCatalogGivesWKT1AndAreaOfUse() throws {
        let info = try ProjCatalog.info(epsg: 4549)
        XCTAssertFalse(info.isGeographic)
        XCTAssertTrue(info.wkt1.hasPrefix("PROJCS["), String(info.wkt1.prefix(40)))
        let area = try XCTUnwrap(info.areaOfUse)
        XCTAssertEqual(area.minX, 118.5, accuracy: 0.01)
        XCTAssertEqual(area.maxX, 121.5, accuracy: 0.01)
        XCTAssertTrue(try ProjCatalog.info(epsg: 4490).isGeographic)
    }
}
