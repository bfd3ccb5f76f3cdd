import XCTest
@testable import Spatial

final class ChinaOffsetTests: XCTestCase {
    /// Reference values published with the widely used coordtransform library (116.404, 39.915).
    func testForwardFormulasMatchPublishedValues() {
        let gcj = ChinaOffset.wgs84ToGCJ02(Coordinate(116.404, 39.915))
        XCTAssertEqual(gcj.x, 116.41024449916938, accuracy: 1e-11)
        XCTAssertEqual(gcj.y, 39.91640428150164, accuracy: 1e-11)
        let bd = ChinaOffset.gcj02ToBD09(Coordinate(116.404, 39.915))
        XCTAssertEqual(bd.x, 116.41036949371029, accuracy: 1e-11)
        XCTAssertEqual(bd.y, 39.92133699351021, accuracy: 1e-11)
    }

    func testShiftNearWuxiIsHundredsOfMetres() throws {
        let w = Coordinate(120.38, 31.54)
        let g = ChinaOffset.wgs84ToGCJ02(w)
        let toGK = try CoordinateTransform(from: .wgs84, to: .epsg(4549))
        let a = try toGK.transform(w), b = try toGK.transform(g)
        let shift = ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
        XCTAssertTrue((400...600).contains(shift), "shift \(shift) m")
    }

    func testIterativeInversesRoundTripBelowOneCentimetre() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let w = Coordinate(Double.random(in: 73.7...135, using: &rng), Double.random(in: 18...53.5, using: &rng))
            let viaGCJ = ChinaOffset.gcj02ToWGS84(ChinaOffset.wgs84ToGCJ02(w))
            let viaBD = ChinaOffset.bd09ToWGS84(ChinaOffset.wgs84ToBD09(w))
            // 1e-7 degrees is about 1 cm.
            XCTAssertEqual(viaGCJ.x, w.x, accuracy: 1e-7)
            XCTAssertEqual(viaGCJ.y, w.y, accuracy: 1e-7)
            XCTAssertEqual(viaBD.x, w.x, accuracy: 1e-7)
            XCTAssertEqual(viaBD.y, w.y, accuracy: 1e-7)
        }
    }

    func testIdentityOutsideChina() {
        let paris = Coordinate(2.35, 48.85)
        XCTAssertEqual(ChinaOffset.wgs84ToGCJ02(paris), paris)
        XCTAssertEqual(ChinaOffset.gcj02ToWGS84(paris), paris)
        XCTAssertEqual(ChinaOffset.bd09ToWGS84(paris), paris)
    }

    func testTransformThroughGCJ02ReachesTheWorkspace() throws {
        let w = Coordinate(120.38, 31.54)
        let direct = try CoordinateTransform(from: .wgs84, to: .epsg(4549)).transform(w)
        let viaGCJ = try CoordinateTransform(from: .gcj02, to: .epsg(4549)).transform(ChinaOffset.wgs84ToGCJ02(w))
        XCTAssertEqual(direct.x, viaGCJ.x, accuracy: 0.01)
        XCTAssertEqual(direct.y, viaGCJ.y, accuracy: 0.01)
    }
}
