import Spatial
import XCTest

final class UncancelledEdgesTests: XCTestCase {
    private func square(_ x: Double, _ y: Double, _ size: Double, clockwise: Bool = false) -> [[Coordinate]] {
        let ring = [Coordinate(x, y), Coordinate(x + size, y), Coordinate(x + size, y + size), Coordinate(x, y + size), Coordinate(x, y)]
        return [clockwise ? ring.reversed() : ring]
    }

    /// Four squares tiling a square area (with their vertices) leave no edge, whichever way
    /// their rings run; one square left out leaves its four sides: one box, around it, grown
    /// by the margin.
    func testATilingLeavesNoEdgeAndAGapOneBox() throws {
        let area = [[[(0, 0), (10, 0), (20, 0), (20, 10), (20, 20), (10, 20), (0, 20), (0, 10), (0, 0)].map { Coordinate($0.0, $0.1) }]]
        let tiles = [[square(0, 0, 10)], [square(10, 0, 10, clockwise: true)], [square(0, 10, 10)], [square(10, 10, 10)]]
        XCTAssertEqual(UncancelledEdges.boxes(tiles, area: area, margin: 1, limit: 100), [])
        let boxes = try XCTUnwrap(UncancelledEdges.boxes(Array(tiles.dropLast()), area: area, margin: 1, limit: 100))
        XCTAssertEqual(boxes, [Envelope(minX: 9, minY: 9, maxX: 21, maxY: 21)])
        XCTAssertNil(UncancelledEdges.boxes(Array(tiles.dropLast()), area: area, margin: 1, limit: 3), "more edges left than the limit")
    }

    /// A square drawn twice leaves its edges (no reverse pairs them off), and two clusters whose
    /// grown boxes meet become one box.
    func testDuplicatesLeaveEdgesAndMeetingBoxesMerge() throws {
        let area = [[[(0, 0), (10, 0), (20, 0), (30, 0), (30, 10), (20, 10), (10, 10), (0, 10), (0, 0)].map { Coordinate($0.0, $0.1) }]]
        let tiles = [[square(0, 0, 10)], [square(10, 0, 10)], [square(20, 0, 10)], [square(0, 0, 10)]]
        XCTAssertEqual(UncancelledEdges.boxes(tiles, area: area, margin: 1, limit: 100), [Envelope(minX: -1, minY: -1, maxX: 11, maxY: 11)])
        let apart = [[square(0, 0, 10)], [square(20, 0, 10)]]
        XCTAssertEqual(UncancelledEdges.boxes(apart, area: area, margin: 1, limit: 100), [Envelope(minX: 9, minY: -1, maxX: 21, maxY: 11)])
    }
}
