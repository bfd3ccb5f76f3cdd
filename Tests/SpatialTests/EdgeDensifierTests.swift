import XCTest
@testable import Spatial

final class EdgeDensifierTests: XCTestCase {
    /// A 20 km edge near Wuxi, in GCJ-02 lon/lat (slanted, so both offset terms vary along it).
    let a = Coordinate(120.20, 31.50), b = Coordinate(120.41, 31.52)

    /// Where the transform is linear the first midpoint lies on the segment: nothing is added.
    func testLinearTransformsAddNoVertex() throws {
        let ring = [Coordinate(0, 0), Coordinate(20_000, 300), Coordinate(20_000, 9_000), Coordinate(0, 0)]
        let affine = { (c: Coordinate) in Coordinate(3 * c.x - 0.5 * c.y + 535_000, 0.25 * c.x + 2 * c.y + 3_490_000) }
        for transform in [{ (c: Coordinate) in c }, affine] {
            let r = try EdgeDensifier.transform(.polygon([ring]), tolerance: 0.01, transform)
            XCTAssertEqual(r.added, 0)
            XCTAssertEqual(r.geometry, .polygon([ring.map(transform)]))
        }
        let identity = try CoordinateTransform(from: .epsg(4549), to: .epsg(4549))
        let projected = ring.map { Coordinate($0.x + 535_000, $0.y + 3_490_000) }
        XCTAssertEqual(try identity.transformDensified(.polygon([projected]), tolerance: 0.01).added, 0, "projected to projected, same CRS")
    }

    /// An ordinary grid (100 m cells, WGS84 lon/lat to Gauss-Krüger) needs no added vertex: the
    /// projection is linear to far below a centimetre over such edges.
    func testOrdinaryGridEdgesAddNoVertex() throws {
        let toGK = try CoordinateTransform(from: .wgs84, to: .epsg(4549))
        var added = 0
        for i in 0..<20 {
            let x = 120.30 + Double(i) * 0.00106, y = 31.50 + Double(i) * 0.0009
            let cell = [Coordinate(x, y), Coordinate(x + 0.00106, y), Coordinate(x + 0.00106, y + 0.0009), Coordinate(x, y + 0.0009), Coordinate(x, y)]
            added += try toGK.transformDensified(.polygon([cell]), tolerance: 0.01).added
        }
        XCTAssertEqual(added, 0)
    }

    /// GCJ-02 to Gauss-Krüger: the densified edge follows the transformed source edge (sampled
    /// every metre) within the tolerance, where the straight edge between the transformed
    /// vertices strays by metres. Points are transformed as they are.
    func testGCJ02EdgeFollowsTheTransformedLine() throws {
        let t = try CoordinateTransform(from: .gcj02, to: .epsg(4549))
        let r = try t.transformDensified(.lineString([a, b]), tolerance: 0.01)
        guard case .lineString(let line) = r.geometry else { return XCTFail("\(r.geometry)") }
        XCTAssertEqual(line.count, r.added + 2)
        XCTAssertEqual(line.first, try t.transform(a))
        XCTAssertEqual(line.last, try t.transform(b))
        func farthest(from polyline: [Coordinate]) throws -> Double {
            var worst = 0.0
            for i in 0...20_000 {
                let s = Double(i) / 20_000
                let p = try t.transform(Coordinate(a.x + s * (b.x - a.x), a.y + s * (b.y - a.y)))
                let d = zip(polyline, polyline.dropFirst()).map { EdgeDensifier.distance(p, $0, $1) }.min()!
                worst = max(worst, d)
            }
            return worst
        }
        let straight = try farthest(from: [t.transform(a), t.transform(b)])
        XCTAssertGreaterThan(straight, 1, "the straight edge strays by metres (\(straight) m): the test has teeth")
        let densified = try farthest(from: line)
        XCTAssertLessThanOrEqual(densified, 0.0105, "densified edge strays \(densified) m with \(r.added) vertices added")
        XCTAssertEqual(try t.transformDensified(.point(a), tolerance: 0.01).added, 0)
    }

    /// A transform that is not smooth (a jump, like the GCJ-02 box edge) cannot pass the
    /// midpoint test: the depth cap ends the halving.
    func testDepthIsCapped() throws {
        let jump = { (c: Coordinate) in c.x < 0.3 ? c : Coordinate(c.x, c.y + 100) }
        let r = try EdgeDensifier.transform(.lineString([Coordinate(0, 0), Coordinate(1, 0)]), tolerance: 0.01, jump)
        XCTAssertLessThanOrEqual(r.added, 2 * EdgeDensifier.maxDepth)
        XCTAssertGreaterThan(r.added, 0)
    }
}
