import TestSupport
import XCTest
@testable import Spatial

/// `InteriorsDisjoint` may only say "disjoint" where GEOS finds no area in common, and must
/// say it for the neighbours of a clean coverage (else the audit saves nothing).
final class InteriorsDisjointTests: XCTestCase {
    func testProvenPairsHaveNoAreaInCommonAndCleanNeighboursAreProven() throws {
        try check(TestCoverage.make())
    }

    /// Grids of hundreds of vertices: the edges are matched strip by strip.
    func testTheSameWithManyVerticesPerGrid() throws {
        try check(TestCoverage.make(detail: 30))
    }

    private func check(_ features: [TestCoverage.Feature]) throws {
        let geometries = features.map { f in Geometry.polygon(f.rings.map { $0.map { Coordinate($0.x, $0.y) } }) }
        let index = Dictionary(uniqueKeysWithValues: features.enumerated().map { ($1.key, $0) })
        let geos = try geometries.map { try GeosGeometry($0) }
        for (k, g) in geos.enumerated() { XCTAssertNil(g.validityProblem(), features[k].key) }
        var pairs = 0, proven = 0
        var verdict: [String: Bool] = [:]
        for i in geometries.indices {
            for j in geometries.indices where j > i && geometries[i].envelope.intersects(geometries[j].envelope) {
                pairs += 1
                let apart = InteriorsDisjoint.proven(geometries[i], geometries[j])
                XCTAssertEqual(apart, InteriorsDisjoint.proven(geometries[j], geometries[i]), "\(features[i].key)/\(features[j].key): either order")
                verdict[features[i].key + "/" + features[j].key] = apart
                guard apart else { continue }
                proven += 1
                let common = try geos[i].intersection(geos[j]).polygonalParts()
                let area = common.isEmpty ? 0 : try GeosGeometry(.multiPolygon(common)).area()
                XCTAssertEqual(area, 0, "\(features[i].key)/\(features[j].key) proven apart but GEOS finds \(area) m² in common")
            }
        }
        XCTAssertGreaterThan(pairs, 1400)
        XCTAssertGreaterThan(Double(proven) / Double(pairs), 0.95, "\(proven) of \(pairs) pairs proven apart")
        func apart(_ a: String, _ b: String) -> Bool? {
            index[a]! < index[b]! ? verdict[a + "/" + b] : verdict[b + "/" + a]
        }
        XCTAssertEqual(apart("C10_10", "DUP"), false, "a duplicate shares its edges the same way round")
        XCTAssertEqual(apart("C12_12", "TRI"), false, "a same-side shared edge")
        XCTAssertEqual(apart("C12_11", "TRI"), true, "the other side of that edge")
        XCTAssertEqual(apart("C15_15", "FILL"), true, "a hole filled exactly")
        XCTAssertEqual(apart("C15_15", "HOLEX"), false)
        XCTAssertEqual(apart("FILL", "HOLEX"), false)
        XCTAssertEqual(apart("C6_6", "X"), false)
        XCTAssertEqual(apart("C7_6", "X"), false)
        XCTAssertEqual(apart("C5_12", "IN"), false, "inside, touching nothing")
        XCTAssertEqual(apart("C17_3", "C17_4"), false, "a vertex in the middle of the neighbour's edge: GEOS decides")
        for neighbour in ["C1_15", "C3_15", "C2_14", "C2_16", "C1_14", "C3_16"] {
            XCTAssertEqual(apart("C2_15", neighbour), true, "a clockwise cell and \(neighbour)")
        }
        XCTAssertEqual(apart("C4_4", "C5_5"), true, "diagonal neighbours touch at a corner")
    }
}
