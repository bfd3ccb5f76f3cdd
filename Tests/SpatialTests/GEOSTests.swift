import XCTest
@testable import Spatial

final class GEOSTests: XCTestCase {
    func square(_ x0: Double, _ y0: Double, _ size: Double) -> Geometry {
        .polygon([[Coordinate(x0, y0), Coordinate(x0 + size, y0), Coordinate(x0 + size, y0 + size), Coordinate(x0, y0 + size), Coordinate(x0, y0)]])
    }

    func testBowTieIsInvalidWithReasonAndLocationAndMakeValidKeepsArea() throws {
        let bowTie = try GeosGeometry(.polygon([[Coordinate(0, 0), Coordinate(2, 2), Coordinate(2, 0), Coordinate(0, 2), Coordinate(0, 0)]]))
        let problem = try XCTUnwrap(bowTie.validityProblem())
        XCTAssertTrue(problem.reason.lowercased().contains("self-intersection"), problem.reason)
        XCTAssertEqual(problem.location, Coordinate(1, 1))
        let valid = try bowTie.makeValid()
        XCTAssertNil(valid.validityProblem())
        XCTAssertEqual(try valid.area(), 2, accuracy: 1e-12)
        XCTAssertEqual(try valid.polygonalParts().count, 2)
    }

    func testPreparedPredicatesFollowDE9IM() throws {
        let sq = try PreparedGeometry(try GeosGeometry(square(0, 0, 10)))
        let inside = try GeosGeometry(.point(Coordinate(5, 5)))
        let onEdge = try GeosGeometry(.point(Coordinate(10, 5)))
        let onVertex = try GeosGeometry(.point(Coordinate(0, 0)))
        let outside = try GeosGeometry(.point(Coordinate(10.5, 5)))
        XCTAssertTrue(sq.contains(inside))
        XCTAssertTrue(sq.covers(inside))
        XCTAssertFalse(sq.contains(onEdge), "boundary is not in the interior")
        XCTAssertTrue(sq.covers(onEdge))
        XCTAssertTrue(sq.covers(onVertex))
        XCTAssertFalse(sq.contains(onVertex))
        XCTAssertFalse(sq.covers(outside))
        XCTAssertTrue(sq.intersects(onEdge))
        XCTAssertEqual(try sq.distance(to: outside), 0.5, accuracy: 1e-12)
        XCTAssertTrue(sq.isWithinDistance(0.5, of: outside))
        XCTAssertFalse(sq.isWithinDistance(0.49, of: outside))
    }

    func testAreaLengthUnionAndWKT() throws {
        let a = try GeosGeometry(square(0, 0, 10)), b = try GeosGeometry(square(10, 0, 10))
        XCTAssertEqual(try a.area(), 100)
        XCTAssertEqual(try a.length(), 40)
        let u = try GeosGeometry.coverageUnion([a, b])
        XCTAssertEqual(try u.area(), 200, accuracy: 1e-9)
        XCTAssertEqual(u.typeName, "Polygon")
        let overlapping = try GeosGeometry(square(5, 0, 10))
        XCTAssertEqual(try GeosGeometry.unaryUnion([a, overlapping]).area(), 150, accuracy: 1e-9)
        let fromWKT = try GeosGeometry(wkt: "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")
        XCTAssertTrue(fromWKT.equals(a))
        XCTAssertEqual(a.wkt(), "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")
        XCTAssertThrowsError(try GeosGeometry(wkt: "POLYGON ((0 0, 1"))
    }

    /// A layer's polygons given to GEOS as one MultiPolygon (import's union) are unioned as the
    /// same polygons in a collection of parts: the same coverage union, byte for byte, and the
    /// same unary union where they overlap.
    func testUnionsOfAMultiPolygonEqualThoseOfItsParts() throws {
        func cell(_ i: Int, _ j: Int) -> [[Coordinate]] {
            // Shared edges bent alike on both sides: a bend by the edge's own position.
            func bend(_ a: Int, _ b: Int) -> Double { Double((a * 7 + b * 13) % 9) - 4 }
            let x = Double(i) * 50, y = Double(j) * 50
            return [[Coordinate(x, y), Coordinate(x + 25, y + bend(i, j)), Coordinate(x + 50, y), Coordinate(x + 50 + bend(i + 1, j + 40), y + 25),
                     Coordinate(x + 50, y + 50), Coordinate(x + 25, y + 50 + bend(i, j + 1)), Coordinate(x, y + 50),
                     Coordinate(x + bend(i, j + 40), y + 25), Coordinate(x, y)]]
        }
        let cells = (0..<20).flatMap { i in (0..<20).compactMap { j in (i * 3 + j) % 11 == 0 ? nil : cell(i, j) } }
        let context = try GEOSContext.current()
        func wkb(_ g: GeosGeometry) throws -> [UInt8] { try context.wkb(of: g.pointer) }
        let parts = try cells.map { try GeosGeometry(.polygon($0)) }
        let whole = try GeosGeometry(.multiPolygon(cells))
        XCTAssertEqual(try wkb(whole.coverageUnion()), try wkb(GeosGeometry.coverageUnion(parts)))
        let overlapping = cells + [[[Coordinate(30, 30), Coordinate(260, 30), Coordinate(260, 240), Coordinate(30, 30)]]]
        let overlappingParts = try overlapping.map { try GeosGeometry(.polygon($0)) }
        let overlappingWhole = try GeosGeometry(.multiPolygon(overlapping))
        XCTAssertThrowsError(try overlappingWhole.coverageUnion())
        XCTAssertEqual(try wkb(overlappingWhole.unaryUnion()), try wkb(GeosGeometry.unaryUnion(overlappingParts)))
    }

    func testOneContextPerThreadAcrossThreads() throws {
        // Each thread builds and uses its own GEOS objects; results must agree.
        final class Results: @unchecked Sendable { var areas = [Double](repeating: 0, count: 8); let lock = NSLock() }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let s = Double(i + 1)
            let g = try! GeosGeometry(.polygon([[Coordinate(0, 0), Coordinate(s, 0), Coordinate(s, s), Coordinate(0, s), Coordinate(0, 0)]]))
            let area = try! g.area()
            results.lock.lock(); results.areas[i] = area; results.lock.unlock()
        }
        for i in 0..<8 { XCTAssertEqual(results.areas[i], Double((i + 1) * (i + 1))) }
    }
}
