import XCTest
import Spatial
@testable import GridKeeper

/// Statuses on hand-made polygons in workspace coordinates (no transform, so edges are exact).
///
///     grids: A (0–100, 0–100), B (100–200, 0–100), C (0–100, 100–200), D (100–200, 100–200)
///     duty:  P1 (0–120, 0–100) with a hole (20–40, 20–40), P2 (0–100, 100–200): owner P
///            Q1 (100–200, 0–100), Q2 (150–200, 100–200): owner Q
///            → P/Q overlap at x 100–120, y 0–100; gap at x 100–150, y 100–200 and in the hole
final class LookupStatusTests: XCTestCase {
    var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001","owner":"旺庄街道办事处"}"#, rings: [rect(0, 0, 100, 100)]),
            feature(#"{"code":"320214001001002"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"code":"320214001001003"}"#, rings: [rect(0, 100, 100, 200)]),
            feature(#"{"code":"320214001001004"}"#, rings: [rect(100, 100, 200, 200)]),
        ]))
        let duty = collection([
            feature(#"{"owner":"P","name":"P1"}"#, rings: [rect(0, 0, 120, 100), rect(20, 20, 40, 40).reversed()]),
            feature(#"{"owner":"P","name":"P2"}"#, rings: [rect(0, 100, 100, 200)]),
            feature(#"{"owner":"Q","name":"Q1"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"Q","name":"Q2"}"#, rings: [rect(150, 100, 200, 200)]),
        ])
        try scratch.importLayer("duty", kind: .duty, geojson: duty)
        try scratch.importLayer("lights", kind: .duty, geojson: duty) { $0.partial = true }
    }

    func answer(_ x: Double, _ y: Double, tolerance: Double = 0, layers: [String]? = nil) throws -> [String: LayerAnswer] {
        let ws = try scratch.workspace()
        let lookup = try AnswerEngine(workspace: ws, layerNames: layers, inputCRS: .epsg(4549))
        let a = try lookup.answer(Coordinate(originX + x, originY + y), tolerance: tolerance)
        return Dictionary(uniqueKeysWithValues: a.layers.map { ($0.layer, $0) })
    }

    func keys(_ a: LayerAnswer?) -> [String] { a?.candidates.map(\.key) ?? [] }

    func testInside() throws {
        let a = try answer(50, 50)
        XCTAssertEqual(a["grids"]?.status, .inside)
        XCTAssertEqual(a["grids"]?.primary?.code, "320214001001001")
        XCTAssertEqual(a["grids"]?.primary?.owner, "旺庄街道办事处")
        XCTAssertEqual(a["duty"]?.status, .inside)
        XCTAssertEqual(a["duty"]?.primary?.owner, "P")
        XCTAssertEqual(a["duty"]?.distance, 0)
    }

    func testOnSharedEdgeIsBoundaryWithBothCandidates() throws {
        let a = try answer(100, 50)
        XCTAssertEqual(a["grids"]?.status, .boundary)
        XCTAssertEqual(keys(a["grids"]), ["320214001001001", "320214001001002"])
        XCTAssertEqual(a["grids"]?.primary?.code, "320214001001001", "primary = smallest key")
        // Inside P1's interior, on Q1's edge: the edge separates P from Q.
        XCTAssertEqual(a["duty"]?.status, .boundary)
        XCTAssertEqual(keys(a["duty"]), ["P", "Q"])
    }

    func testOnVertexOfFourGrids() throws {
        let a = try answer(100, 100)
        XCTAssertEqual(a["grids"]?.status, .boundary)
        XCTAssertEqual(keys(a["grids"]), ["320214001001001", "320214001001002", "320214001001003", "320214001001004"])
    }

    func testOverlapOfTwoOwnersIsDisputed() throws {
        let a = try answer(110, 50)
        XCTAssertEqual(a["grids"]?.status, .inside)
        XCTAssertEqual(a["duty"]?.status, .disputed)
        XCTAssertEqual(keys(a["duty"]), ["P", "Q"])
        XCTAssertEqual(a["duty"]?.primary?.owner, "P")
    }

    func testEdgeBetweenPolygonsOfOneOwnerIsNotABoundary() throws {
        let a = try answer(50, 100)
        XCTAssertEqual(a["grids"]?.status, .boundary)
        XCTAssertEqual(a["duty"]?.status, .inside, "P1 and P2 both belong to P")
        XCTAssertEqual(keys(a["duty"]), ["P"])
    }

    func testHoleIsAGapWithFallbackAndItsEdgeABoundary() throws {
        let a = try answer(30, 30)
        XCTAssertEqual(a["duty"]?.status, .gap)
        XCTAssertNil(a["duty"]?.primary)
        XCTAssertEqual(a["duty"]?.fallback?.party.code, "320214001001001")
        XCTAssertEqual(a["duty"]?.fallback?.layer, "grids")
        XCTAssertEqual(a["lights"]?.status, Status.none, "a partial layer answers none, not gap")
        let edge = try answer(20, 30)
        XCTAssertEqual(edge["duty"]?.status, .boundary)
        XCTAssertEqual(keys(edge["duty"]), ["P"])
    }

    func testGapBetweenPolygons() throws {
        let a = try answer(125, 150)
        XCTAssertEqual(a["grids"]?.status, .inside)
        XCTAssertEqual(a["duty"]?.status, .gap)
        XCTAssertEqual(a["duty"]?.fallback?.party.code, "320214001001004")
    }

    func testJurisdictionEdgeAndOutside() throws {
        let edge = try answer(0, 50)
        XCTAssertEqual(edge["grids"]?.status, .boundary)
        XCTAssertEqual(keys(edge["grids"]), ["320214001001001"])
        let out = try answer(-10, 50)
        XCTAssertEqual(out["grids"]?.status, .outside)
        XCTAssertEqual(out["duty"]?.status, .outside)
        XCTAssertEqual(out["lights"]?.status, .outside)
        XCTAssertNil(out["grids"]?.primary)
    }

    func testToleranceTurnsNearEdgesIntoBoundaries() throws {
        XCTAssertEqual(try answer(50, 99.5)["grids"]?.status, .inside)
        let near = try answer(50, 99.5, tolerance: 1)
        XCTAssertEqual(near["grids"]?.status, .boundary)
        XCTAssertEqual(keys(near["grids"]), ["320214001001001", "320214001001003"])
        XCTAssertEqual(near["duty"]?.status, .inside, "near an edge between two polygons of P only")
        // Within tolerance of the overlap's edge: disputed wins over boundary.
        XCTAssertEqual(try answer(110, 50, tolerance: 20)["duty"]?.status, .disputed)
        // In the gap, 0.5 m from Q2: a boundary with Q, no longer a plain gap.
        let gapEdge = try answer(149.5, 150, tolerance: 1)
        XCTAssertEqual(gapEdge["duty"]?.status, .boundary)
        XCTAssertEqual(keys(gapEdge["duty"]), ["Q"])
        XCTAssertEqual(gapEdge["duty"]?.distance ?? -1, 0.5, accuracy: 1e-9)
    }

    func testLayerSelectionAndInputCRS() throws {
        let a = try answer(50, 50, layers: ["duty"])
        XCTAssertEqual(Array(a.keys), ["duty"])
        XCTAssertThrowsError(try answer(50, 50, layers: ["nope"]))
        // The same point given in lon/lat and in GCJ-02 answers the same.
        let ws = try scratch.workspace()
        let back = try CoordinateTransform(from: .epsg(4549), to: .wgs84).transform(Coordinate(originX + 60, originY + 40))
        for (crs, c) in [(CRS.wgs84, back), (.gcj02, ChinaOffset.wgs84ToGCJ02(back)), (.bd09, ChinaOffset.wgs84ToBD09(back))] {
            let a = try AnswerEngine(workspace: ws, layerNames: ["grids"], inputCRS: crs).answer(c)
            XCTAssertEqual(a.layers[0].primary?.code, "320214001001001", "\(crs)")
            XCTAssertEqual(a.position.x, originX + 60, accuracy: 0.01)
            XCTAssertEqual(a.position.y, originY + 40, accuracy: 0.01)
        }
    }

    func testSwappedOrWrongCoordinatesAreRejected() throws {
        let ws = try scratch.workspace()
        let lookup = try AnswerEngine(workspace: ws, layerNames: nil, inputCRS: .wgs84)
        XCTAssertThrowsError(try lookup.answer(Coordinate(31.5, 120.4))) { e in
            XCTAssertTrue("\(e)".contains("LAT,LON"), "\(e)")
        }
        XCTAssertThrowsError(try lookup.answer(Coordinate(.nan, 31)))
        // Northing first in a projected CRS is recognised by magnitude.
        let projected = try AnswerEngine(workspace: ws, layerNames: ["grids"], inputCRS: .epsg(4549))
        XCTAssertEqual(try projected.answer(Coordinate(originY + 50, originX + 50)).layers[0].status, .inside)
        XCTAssertThrowsError(try projected.answer(Coordinate(12, 34)))
    }
}
